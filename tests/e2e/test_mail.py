"""Mail end to end in the browser: staff edit a template, send themselves a test mail,
the worker delivers it over SMTP to the local mail catcher, and staff read it there."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from samraad.mail.catcher import catcher_controller
from samraad.mail.delivery import outbox_drain
from samraad.tests_support.factories import StaffUserFactory
from samraad.tests_support.login import browser_log_in
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def catcher_port() -> Iterator[int]:
    port = free_port()
    controller = catcher_controller(port=port)
    controller.start()
    try:
        with override_settings(EMAIL_HOST="127.0.0.1", EMAIL_PORT=port):
            yield port
    finally:
        controller.stop()


def log_in(page: Page, base: str) -> None:
    user = StaffUserFactory(email="mette.proevelund@kl.dk", first_name="Mette")
    page.goto(base + "/accounts/login/")
    browser_log_in(page, user)  # password, then the code
    expect(page).to_have_url(base + "/staff/")


def test_staff_edit_the_wording_send_a_test_mail_and_read_it_in_the_catcher(
    page: Page, live_server, catcher_port: int
) -> None:
    base = live_server.url
    log_in(page, base)
    page.get_by_role("link", name="Mail: udgående, fejl og skabeloner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mail")
    assert_accessible(page)

    page.get_by_role("link", name="Mailskabeloner").click()
    assert_accessible(page)
    page.get_by_role("link", name="Redigér Testmail fra backoffice (da)").click()
    subject = page.get_by_label("Emne")
    subject.fill("Prøve fra {association} til {ukendt}")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("alert")).to_contain_text("{ukendt}")
    subject.fill("Prøve fra {association} til {name}")
    page.get_by_role("button", name="Forhåndsvis").click()
    expect(page.get_by_test_id("preview-subject")).to_have_text("Prøve fra KL til Karen Prøvesen")
    assert_accessible(page)
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("status")).to_contain_text("gemt")

    page.goto(base + "/staff/mail/")
    page.get_by_role("button", name="Send en testmail til mette.proevelund@kl.dk").click()
    expect(page.get_by_role("status")).to_contain_text("mette.proevelund@kl.dk")
    expect(page.get_by_test_id("count-queued")).to_have_text("1")

    report = outbox_drain(worker_id="e2e")  # what the worker's mail thread does
    assert report.sent == 1, report.errors

    page.reload()
    expect(page.get_by_test_id("count-sent")).to_have_text("1")
    page.goto(base + "/staff/mail/caught/")
    page.get_by_role("link", name="Prøve fra KL til Mette").click()
    expect(page.locator("main")).to_contain_text("Auto-Submitted")
    expect(page.locator("main")).to_contain_text("Kære Mette")
    assert_accessible(page)
