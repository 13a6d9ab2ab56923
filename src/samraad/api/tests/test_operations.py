"""What each operation answers, its pagination and filters, and the OpenAPI document."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from samraad.api.tests.helpers import bearer, meeting_with_registrations, register, token_for
from samraad.councils.models import CouncilInput, InputStatus, InputVersion
from samraad.directory.models import Municipality, RoleKind
from samraad.meetings.models import Invitation, RegistrationStatus
from samraad.regional.models import KkrRecord, KkrRecordStatus
from samraad.rounds.models import Theme
from samraad.speakers.models import SpeakerRequest
from samraad.tests_support.factories import (
    KkrMeetingFactory,
    PersonFactory,
    RoundFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    """GET an API path with a token holding every scope (messages in English)."""
    headers = bearer(token_for())
    client.cookies["samraad_language"] = "en"

    def get(path: str, **params):
        response = client.get(f"/api{path}", params, **headers)
        return response

    return get


def test_rounds_are_paginated_with_a_count(api):
    for year in (2030, 2031, 2032):
        RoundFactory(starts_on=datetime.date(year, 2, 1), ends_on=datetime.date(year, 6, 1))
    first = api("/rounds", limit=2).json()
    assert first["count"] == 3
    assert [r["starts_on"][:4] for r in first["items"]] == ["2032", "2031"]
    rest = api("/rounds", limit=2, offset=2).json()
    assert rest["count"] == 3
    assert [r["starts_on"][:4] for r in rest["items"]] == ["2030"]
    assert api("/rounds", offset=10).json() == {"items": [], "count": 3}


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "many"}]
)
def test_bad_pagination_is_a_422_problem(api, params):
    RoundFactory()
    response = api("/rounds", **params)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "urn:samraad:problem:validation"
    assert body["errors"][0]["location"].startswith("query")


def test_an_unknown_query_parameter_is_a_422_problem_naming_it(api):
    round_ = RoundFactory()
    response = api(f"/rounds/{round_.slug}/coverage", regoin="1084")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"location": "query.regoin", "message": "This parameter is not known here."}
    ]
    assert api(f"/rounds/{round_.slug}/coverage", region="1084").status_code == 200


def test_rounds_filter_by_published(api):
    RoundFactory(slug="shown", is_published=True)
    RoundFactory(slug="hidden", is_published=False)
    assert [r["slug"] for r in api("/rounds", published="false").json()["items"]] == ["hidden"]
    assert {r["slug"] for r in api("/rounds").json()["items"]} == {"shown", "hidden"}


def test_a_round_with_its_meeting(api):
    round_, _first, _second = meeting_with_registrations()
    body = api(f"/rounds/{round_.slug}").json()
    assert body["code"] == round_.code
    assert body["meeting"]["registration_deadline"].startswith("2025-03-26T22:59:59")
    assert body["meeting"]["link_release_at"] == body["meeting"]["registration_deadline"]
    assert api(f"/rounds/{RoundFactory().slug}").json()["meeting"] is None


@pytest.mark.parametrize(
    "path", ["/rounds/nope", "/rounds/nope/sessions", "/nothing/here", "/", "/rounds/nope/x"]
)
def test_unknown_objects_and_paths_are_404_problems(api, path):
    response = api(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_a_method_the_api_does_not_have_is_a_405_problem(client):
    response = client.post("/api/rounds", **bearer(token_for()))
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Allow"] == "GET"
    assert response.json()["status"] == 405


def test_sessions_with_their_counts(api, django_assert_max_num_queries):
    round_, first, second = meeting_with_registrations()
    with django_assert_max_num_queries(6):
        body = api(f"/rounds/{round_.slug}/sessions").json()
    assert body["count"] == 2
    assert [(s["id"], s["registered"], s["waitlisted"], s["free"]) for s in body["items"]] == [
        (first.pk, 2, 1, 0),
        (second.pk, 0, 0, 1000),
    ]
    assert "join_url" not in body["items"][0]
    assert api(f"/rounds/{round_.slug}/sessions/{second.pk}").json()["capacity"] == 1000


def test_registrations_of_a_session_with_personal_data(api, django_assert_max_num_queries):
    round_, first, _second = meeting_with_registrations()
    url = f"/rounds/{round_.slug}/sessions/{first.pk}/registrations"
    with django_assert_max_num_queries(6):
        body = api(url).json()
    assert body["count"] == 4
    soren = body["items"][0]
    assert soren["person"] == {
        "name": "Søren Ågesen",
        "email": "soren@aarhus.dk",
        "municipality": {
            "code": "0751",
            "name": "Aarhus",
            "region_code": 1082,
            "region_name": "Region Midtjylland",
        },
    }
    assert soren["status"] == "confirmed"
    waiting = api(url, status="waitlisted").json()
    assert [r["status"] for r in waiting["items"]] == ["waitlisted"]
    assert api(url, status="maybe").status_code == 422


def test_a_session_of_another_round_is_404(api):
    round_, _first, _second = meeting_with_registrations()
    other = SessionFactory()
    register(other)
    response = api(f"/rounds/{round_.slug}/sessions/{other.pk}/registrations")
    assert response.status_code == 404


def _submitted_input(round_, municipality, *, status=InputStatus.SUBMITTED):
    council_input = CouncilInput.objects.create(
        round=round_, municipality=municipality, status=status, economic_situation="Draft text"
    )
    for number, text in ((1, "Stram økonomi"), (2, "Meget stram økonomi")):
        InputVersion.objects.create(
            council_input=council_input,
            number=number,
            submitted_at=timezone.now(),
            submitted_by_name="Kontakt",
            snapshot={
                "economic_situation": text,
                "ratings": [
                    {
                        "theme": "health",
                        "name": "Sundhed",
                        "name_en": "Health",
                        "rating": 4,
                        "text": "Pres",
                    }
                ],
                "proposals": "Mere frihed",
                "budget_remarks": "",
                "council_discussed": True,
                "council_discussed_on": "2025-04-01",
                "email_notes": "",
                "attachments": [],
            },
        )
    return council_input


def test_council_inputs_show_the_latest_submitted_version(api, django_assert_max_num_queries):
    round_ = RoundFactory()
    aarhus = Municipality.objects.get(code=751)
    _submitted_input(round_, aarhus)
    CouncilInput.objects.create(
        round=round_,
        municipality=Municipality.objects.get(code=101),
        status=InputStatus.DRAFT,
        economic_situation="Not ready",
    )
    with django_assert_max_num_queries(7):
        body = api(f"/rounds/{round_.slug}/inputs").json()
    assert body["count"] == 2
    by_name = {item["municipality"]["name"]: item for item in body["items"]}
    assert by_name["Aarhus"]["versions"] == 2
    latest = by_name["Aarhus"]["latest_version"]
    assert latest["number"] == 2
    assert latest["economic_situation"] == "Meget stram økonomi"
    assert latest["ratings"][0]["rating"] == 4
    assert latest["council_discussed_on"] == "2025-04-01"
    draft = by_name["København"]
    assert draft["latest_version"] is None
    assert "Not ready" not in json.dumps(body)
    submitted = api(f"/rounds/{round_.slug}/inputs", status="submitted").json()
    assert [i["municipality"]["code"] for i in submitted["items"]] == ["0751"]
    central = api(f"/rounds/{round_.slug}/inputs", region=1082).json()
    assert [i["municipality"]["code"] for i in central["items"]] == ["0751"]


def test_coverage_per_municipality(api, django_assert_max_num_queries):
    round_, first, _second = meeting_with_registrations()
    aarhus = Municipality.objects.get(code=751)
    soren = first.registrations.get(person__email="soren@aarhus.dk").person
    Invitation.objects.create(meeting=first.meeting, person=soren, sent_at=timezone.now())
    _submitted_input(round_, aarhus, status=InputStatus.RECEIVED)
    kkr = KkrMeetingFactory(round=round_, region=aarhus.region)
    KkrRecord.objects.create(
        meeting=kkr, status=KkrRecordStatus.APPROVED, approved_at=timezone.now()
    )
    contact = PersonFactory(municipality=aarhus)
    contact.roles.create(kind=RoleKind.MUNICIPAL_CONTACT)
    SpeakerRequest.objects.create(
        round=round_,
        municipality=aarhus,
        requested_by=contact,
        presenter_kind="either",
        meeting_format="online",
        topic="Økonomi",
    )
    with django_assert_max_num_queries(15):
        body = api(f"/rounds/{round_.slug}/coverage", limit=200).json()
    assert body["count"] == 98
    row = next(r for r in body["items"] if r["municipality"]["code"] == "0751")
    assert row["invited"] == 1
    assert row["registered"] == 1
    assert row["input_status"] == "received"
    assert row["kkr_discussed"] is True
    assert row["speaker_requested"] == 1
    assert row["council_size"] == 0  # no council size, no council members in the directory
    other = next(r for r in body["items"] if r["municipality"]["code"] == "0101")
    assert other["registered"] == 1  # one confirmed; the waitlisted and cancelled do not count
    assert other["kkr_discussed"] is False
    assert other["input_status"] == "not_started"
    assert other["speaker_requested"] == 0
    central = api(f"/rounds/{round_.slug}/coverage", region=1082, limit=200).json()
    assert {r["municipality"]["region_code"] for r in central["items"]} == {1082}
    assert central["count"] == len(central["items"]) < 98
    regions = api(f"/rounds/{round_.slug}/coverage/regions").json()
    assert regions["count"] == 5
    midtjylland = next(r for r in regions["items"] if r["code"] == 1082)
    assert midtjylland["kkr_discussed"] is True
    assert midtjylland["inputs_submitted"] == 1


def test_themes_of_a_round(api):
    round_ = RoundFactory()
    Theme.objects.create(round=round_, key="health", name="Sundhed", name_en="Health", position=2)
    Theme.objects.create(round=round_, key="climate", name="Klima", name_en="Climate", position=1)
    body = api(f"/rounds/{round_.slug}/themes").json()
    names = [t["name_en"] for t in body["items"] if t["source"] == "theme_list"]
    if names:  # no reviewed theme analysis: the round's own list, in its order
        assert names == ["Climate", "Health"]
    assert body["count"] == len(body["items"])


def test_the_openapi_document_describes_problems_and_the_token():
    from django.test import Client

    document = Client().get("/api/openapi.json").json()
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert len(operations) == 9
    for operation in operations:
        assert operation["security"] == [{"TokenAuth": []}]
        for status in ("401", "403", "404", "422"):
            content = operation["responses"][status]["content"]
            assert list(content) == ["application/problem+json"]
        assert list(operation["responses"]["200"]["content"]) == ["application/json"]


def test_the_docs_page_loads_swagger_ui_from_local_static_files(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html
    bundle = client.get("/static/ninja/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert b"SwaggerUI" in b"".join(bundle.streaming_content)
    bundle.close()


def test_registration_status_values_are_the_models():
    from samraad.api.schemas import RegistrationOut  # noqa: F401

    assert set(RegistrationStatus.values) == {"confirmed", "waitlisted", "cancelled"}
    assert set(InputStatus.values) == {"not_started", "draft", "submitted", "received", "used"}
