"""The API's documentation in a real browser: Swagger UI from local static files renders the
OpenAPI document under the Content Security Policy (the `page` fixture fails the test on
anything the policy blocks), and a token from the staff page works in "Try it out"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from samraad.api.models import Scope
from samraad.api.services import api_token_create
from samraad.tests_support.factories import RoundFactory, StaffUserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_docs_page_renders_and_calls_the_api_with_a_token(page: Page, live_server):
    RoundFactory(slug="oa26", code="ØA26")
    token = api_token_create(
        user=StaffUserFactory(), name="Docs", scopes=[Scope.ROUNDS_READ]
    ).plaintext
    external: list[str] = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )

    page.goto(f"{live_server.url}/api/docs")

    expect(page.get_by_role("heading", name=re.compile("Samråd API"))).to_be_visible()
    operation = page.locator("#operations-rounds-samraad_api_api_list_rounds")
    expect(operation).to_be_visible()

    page.get_by_role("button", name=re.compile("Authorize")).first.click()
    page.locator(".modal-ux input[type=text]").fill(token)
    page.locator(".modal-ux button.modal-btn.authorize").click()
    page.locator(".modal-ux button.btn-done").click()

    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status")).to_have_text(
        "200"
    )
    expect(operation.locator(".live-responses-table")).to_contain_text("oa26")
    assert external == [], f"the docs page loaded from elsewhere: {external}"
