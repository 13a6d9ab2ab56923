"""Browser fixtures for the end-to-end journeys: Playwright driving Debian's Chromium.

We never download a browser: the tests use the system's Chromium
(/usr/bin/chromium, or the path in CHROMIUM). `scripts/ensure-chromium`
(or `make e2e-deps`) installs it with apt-get when it is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from samraad.directory.models import Municipality, Region
from samraad.directory.reference import load_reference_data

# Playwright's sync API runs an asyncio event loop in the test thread, so
# Django sees a running loop and refuses synchronous ORM calls ("You cannot
# call this from an async context"). The tests only use the ORM between
# browser steps, never concurrently with the loop, so this is safe here. It is
# set here rather than in the settings so that it only applies when the browser
# tests are collected (the environment is process-wide from then on; run the
# rest of the suite without tests/e2e to keep Django's guard).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

HERE = Path(__file__).resolve().parent
AXE = HERE.parents[1] / "node_modules" / "axe-core" / "axe.min.js"
# The automated accessibility check: axe-core's rules for WCAG 2.1 A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e as `e2e`, so `-m e2e` / `-m "not e2e"` select them."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    """The regions and municipalities that the data migration ships.

    live_server needs committed data, so these tests run in transactional mode,
    and Django empties every table after such a test: the reference data
    loaded by the migration is gone for the next one. serialized_rollback
    cannot bring it back here: once Playwright runs, its event loop makes
    Django keep this thread's connections in a context-local store, which lacks
    the snapshot taken when the test database was set up. Loading is idempotent.
    """
    load_reference_data(Region, Municipality)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}. The browser tests use Debian's "
            "Chromium: run `scripts/ensure-chromium` (or `make e2e-deps`), or point the "
            "CHROMIUM environment variable at a Chromium binary.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context (no cookies, no storage) for each test.

    The browser asks for English (Chromium's default): Samråd must still
    answer in Danish until the visitor chooses English.
    """
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    # Whatever the Content Security Policy blocks (an inline script or style) fails the test.
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert blocked == [], "blocked by the Content Security Policy:\n" + "\n".join(blocked)


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now and fail with every WCAG 2.1 A/AA violation."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make install).", pytrace=False)
    # Evaluated through the DevTools protocol rather than added as a <script> element,
    # which Samråd's Content Security Policy (no inline scripts) rightly refuses.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    problems = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
    ]
    assert problems == [], f"accessibility violations on {page.url}:\n" + "\n".join(problems)
