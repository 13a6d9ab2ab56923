"""Speaker-request pages: who may see what (issue 5, items 8–10 and "Bad input")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samraad.mail.models import InboundMessage, InboundSource, TriageStatus
from samraad.speakers.models import SpeakerRequest, SpeakerStatus
from samraad.speakers.services import speaker_accept, speaker_assign
from samraad.speakers.tests.conftest import in_days
from samraad.tests_support.factories import StaffUserFactory, UserFactory
from samraad.tests_support.login import log_in_verified

pytestmark = pytest.mark.django_db


def _local(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def _form(**overrides) -> dict[str, str]:
    start, end = in_days(12)
    data = {
        "presenter_kind": "board",
        "topic": "Velfærd og anlæg",
        "audience": "Byrådet",
        "meeting_format": "online",
        "online_url": "https://teams.example/aarhus",
        "address": "",
        "slot1_start": _local(start),
        "slot1_end": _local(end),
    }
    data.update(overrides)
    return data


# --- Anonymous and forged ---------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [("speakers:staff_list", []), ("speakers:staff_detail", [1]), ("speakers:engagements", [])],
)
def test_anonymous_go_to_login(client, world, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_forged_contact_link_is_refused(client, world):
    client.cookies["samraad_language"] = "en"
    response = client.get("/c/forged-token/speaker/")
    assert response.status_code == 404
    assert "does not work" in response.content.decode()
    # A member's link is not a contact's link.
    from samraad.accounts.models import AccessPurpose
    from samraad.accounts.services import access_link_create

    token = access_link_create(
        round=world.round, person=world.aarhus_contact, purpose=AccessPurpose.MEMBER
    )
    assert client.get(f"/c/{token}/speaker/").status_code == 404


# --- The municipal contact ------------------------------------------------------------


def test_a_contact_asks_for_a_presenter(client, world):
    token = world.contact_token(world.aarhus_contact)
    url = f"/c/{token}/speaker/"
    assert client.get(url).status_code == 200
    response = client.post(url, _form())
    assert response.status_code == 302
    request = SpeakerRequest.objects.get()
    assert (request.municipality, request.requested_by, request.presenter_kind) == (
        world.aarhus,
        world.aarhus_contact,
        "board",
    )
    assert request.slots.get().starts_at == in_days(12)[0]  # entered in Copenhagen time
    page = client.get(url).content.decode()
    assert "Velfærd og anlæg" in page


def test_a_slot_in_the_past_gets_a_clear_message_and_the_form_keeps_its_input(client, world):
    token = world.contact_token(world.aarhus_contact)
    client.cookies["samraad_language"] = "en"
    start, end = in_days(-3)
    response = client.post(
        f"/c/{token}/speaker/", _form(slot1_start=_local(start), slot1_end=_local(end))
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "A proposed time must be in the future" in page
    assert 'value="Velfærd og anlæg"' in page
    assert not SpeakerRequest.objects.exists()


def test_empty_required_fields_are_named(client, world):
    token = world.contact_token(world.aarhus_contact)
    response = client.post(f"/c/{token}/speaker/", {})
    assert response.status_code == 200
    assert response.content.decode().count("form-error-message") >= 3
    assert not SpeakerRequest.objects.exists()


def test_a_contact_sees_only_their_own_municipalitys_requests(client, world):
    own = world.request(topic="Aarhus eget oplæg")
    other = world.request(
        municipality=world.odense, requested_by=world.odense_contact, topic="Odenses oplæg"
    )
    token = world.contact_token(world.aarhus_contact)
    page = client.get(f"/c/{token}/speaker/").content.decode()
    assert "Aarhus eget oplæg" in page and "Odenses oplæg" not in page
    assert client.get(f"/c/{token}/speaker/{own.pk}/").status_code == 200
    response = client.get(f"/c/{token}/speaker/{other.pk}/")
    assert response.status_code == 404
    assert "Odenses oplæg" not in response.content.decode()
    # The Odense contact reaches theirs.
    odense_token = world.contact_token(world.odense_contact)
    assert client.get(f"/c/{odense_token}/speaker/{other.pk}/").status_code == 200
    assert client.get(f"/c/{odense_token}/speaker/{own.pk}/").status_code == 404


# --- Presenters -------------------------------------------------------------------------


def test_a_presenter_sees_and_answers_only_their_own_engagements(client, world):
    mine = world.request(topic="Bentes oplæg")
    speaker_assign(request=mine, presenter=world.board, slot=mine.slots.get())
    theirs = world.request(topic="Sørens oplæg")
    speaker_assign(request=theirs, presenter=world.secretariat, slot=theirs.slots.get())

    log_in_verified(client, world.board_user)
    page = client.get(reverse("speakers:engagements")).content.decode()
    assert "Bentes oplæg" in page and "Sørens oplæg" not in page
    other_url = reverse("speakers:engagement", args=[theirs.pk])
    assert client.get(other_url).status_code == 404
    assert client.post(other_url, {"action": "accept"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == SpeakerStatus.ASSIGNED

    url = reverse("speakers:engagement", args=[mine.pk])
    assert client.post(url, {"action": "accept"}).status_code == 302
    mine.refresh_from_db()
    assert mine.status == SpeakerStatus.CONFIRMED


def test_a_presenter_declines_with_a_reason(client, world):
    request = world.request()
    speaker_assign(request=request, presenter=world.board, slot=request.slots.get())
    log_in_verified(client, world.board_user)
    url = reverse("speakers:engagement", args=[request.pk])
    response = client.post(url, {"action": "decline", "decline-reason": ""})
    assert response.status_code == 200  # the form, with the missing reason marked
    response = client.post(url, {"action": "decline", "decline-reason": "Ferie"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decline_reason) == (SpeakerStatus.REQUESTED, "Ferie")
    assert client.get(url).status_code == 404  # no longer theirs


def test_someone_who_is_neither_presenter_nor_staff_is_refused(client, world):
    log_in_verified(client, UserFactory(username="nobody", person=world.aarhus_contact))
    assert client.get(reverse("speakers:engagements")).status_code == 403


def test_staff_without_a_person_have_no_engagements(client, world):
    request = world.request()
    speaker_assign(request=request, presenter=world.board, slot=request.slots.get())
    log_in_verified(client, StaffUserFactory())
    assert client.get(reverse("speakers:engagements")).status_code == 200
    assert client.get(reverse("speakers:engagement", args=[request.pk])).status_code == 404


# --- Staff --------------------------------------------------------------------------------


def test_staff_assign_and_a_conflict_is_refused_with_a_message(client, world):
    log_in_verified(client, StaffUserFactory())
    booked = world.request(slots=[in_days(7, hour=17)])
    speaker_assign(request=booked, presenter=world.board, slot=booked.slots.get())
    speaker_accept(request=booked, presenter=world.board)
    request = world.request(municipality=world.odense, slots=[in_days(7, hour=18)])
    url = reverse("speakers:staff_detail", args=[request.pk])
    data = {"action": "assign", "presenter": world.board.pk, "slot": request.slots.get().pk}
    client.cookies["samraad_language"] = "en"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Bente Bestyrelse is already booked in Aarhus" in response.content.decode()
    request.refresh_from_db()
    assert request.status == SpeakerStatus.REQUESTED
    data["presenter"] = world.secretariat.pk
    assert client.post(url, data).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.presenter) == (SpeakerStatus.ASSIGNED, world.secretariat)


def test_staff_list_has_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(5):
        request = world.request(topic=f"Oplæg {n}", slots=[in_days(3 + n)])
        speaker_assign(request=request, presenter=world.board, slot=request.slots.get())
    log_in_verified(client, StaffUserFactory())
    with django_assert_max_num_queries(8):
        response = client.get(reverse("speakers:staff_list"))
    assert response.content.decode().count("Oplæg ") >= 5


def test_non_staff_cannot_reach_staff_pages(client, world):
    log_in_verified(client, world.board_user)
    assert client.get(reverse("speakers:staff_list")).status_code == 403


def test_staff_turn_an_inbound_message_into_a_speaker_request(client, world):
    message = InboundMessage.objects.create(
        source=InboundSource.SMTP,
        raw=b"Subject: x\r\n\r\nx",
        raw_sha256="0" * 64,
        from_email="kontakt@aarhus.dk",
        subject="Oplæg i byrådet",
        body_text="Kan I komme?",
        round=world.round,
        municipality=world.aarhus,
        parse_status="parsed",
    )
    log_in_verified(client, StaffUserFactory())
    detail = client.get(reverse("mail:inbound_detail", args=[message.pk])).content.decode()
    assert reverse("speakers:staff_from_inbound", args=[message.pk]) in detail
    response = client.post(reverse("speakers:staff_from_inbound", args=[message.pk]))
    request = SpeakerRequest.objects.get()
    assert response["Location"] == reverse("speakers:staff_detail", args=[request.pk])
    message.refresh_from_db()
    assert message.triage_status == TriageStatus.SPEAKER_REQUEST
    # Twice: refused with a message, nothing new.
    response = client.post(reverse("speakers:staff_from_inbound", args=[message.pk]))
    assert response.status_code == 302 and SpeakerRequest.objects.count() == 1
    # Staff add a time; one in the past is refused.
    url = reverse("speakers:staff_detail", args=[request.pk])
    past = in_days(-1)
    response = client.post(
        url, {"action": "slot", "slot-starts_at": _local(past[0]), "slot-ends_at": _local(past[1])}
    )
    assert response.status_code == 200 and not request.slots.exists()
    future = in_days(4)
    response = client.post(
        url,
        {"action": "slot", "slot-starts_at": _local(future[0]), "slot-ends_at": _local(future[1])},
    )
    assert response.status_code == 302 and request.slots.count() == 1
