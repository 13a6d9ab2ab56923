"""Speaker requests through their services: the rules of issue 5, items 8–9."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone, translation
from icalendar import Calendar

from samraad.core.errors import ServiceError
from samraad.directory.models import RoleKind
from samraad.directory.services import person_upsert
from samraad.mail.models import InboundMessage, InboundSource, OutboxMessage, TriageStatus
from samraad.speakers.models import PresenterKind, SpeakerStatus
from samraad.speakers.selectors import presenter_notes_for
from samraad.speakers.services import (
    speaker_accept,
    speaker_assign,
    speaker_decline,
    speaker_mark_held,
    speaker_request_cancel,
    speaker_request_from_inbound,
    speaker_slot_add,
)
from samraad.speakers.tests.conftest import in_days
from samraad.tests_support.mail import outbox_attachments

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The messages asserted below are the English ones (Danish is the default)."""
    with translation.override("en"):
        yield


def _event(message: OutboxMessage):
    (attachment,) = outbox_attachments(message)
    assert attachment.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(attachment.get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


# --- Requests -------------------------------------------------------------------


def test_a_slot_in_the_past_is_refused_and_nothing_is_saved(world):
    past = in_days(-1)
    with pytest.raises(ServiceError) as error:
        world.request(slots=[in_days(5), past])
    assert error.value.code == "slot_past"
    assert "already passed" in error.value.message
    assert not world.aarhus.speaker_requests.exists()


def test_a_slot_starting_now_is_in_the_past(world):
    now = timezone.now()
    with pytest.raises(ServiceError, match="already passed"):
        world.request(slots=[(now, now + datetime.timedelta(hours=1))], now=now)


def test_at_most_three_slots_at_least_one_and_a_place(world):
    with pytest.raises(ServiceError, match="at most 3"):
        world.request(slots=[in_days(n) for n in range(1, 5)])
    with pytest.raises(ServiceError, match="at least one"):
        world.request(slots=[])
    with pytest.raises(ServiceError, match="address"):
        world.request(address="")
    with pytest.raises(ServiceError, match="end after"):
        start, end = in_days(3)
        world.request(slots=[(end, start)])


def test_a_request_keeps_its_three_slots(world):
    request = world.request(slots=[in_days(3), in_days(4), in_days(5)])
    assert request.status == SpeakerStatus.REQUESTED
    assert [s.starts_at for s in request.slots.all()] == [
        in_days(3)[0],
        in_days(4)[0],
        in_days(5)[0],
    ]


# --- Assignment -------------------------------------------------------------------


def test_assignment_refuses_a_presenter_of_the_wrong_kind(world):
    request = world.request(presenter_kind=PresenterKind.BOARD)
    with pytest.raises(ServiceError) as error:
        speaker_assign(request=request, presenter=world.secretariat, slot=request.slots.get())
    assert error.value.code == "kind_mismatch"
    request.refresh_from_db()
    assert request.status == SpeakerStatus.REQUESTED and request.presenter is None


def test_assignment_refuses_someone_who_is_no_presenter(world):
    request = world.request()
    with pytest.raises(ServiceError) as error:
        speaker_assign(request=request, presenter=world.aarhus_contact, slot=request.slots.get())
    assert error.value.code == "kind_mismatch"


def test_either_accepts_board_and_secretariat(world):
    first = world.request(slots=[in_days(3)])
    second = world.request(slots=[in_days(3)])
    first = speaker_assign(request=first, presenter=world.board, slot=first.slots.get())
    second = speaker_assign(request=second, presenter=world.secretariat, slot=second.slots.get())
    assert first.status == second.status == SpeakerStatus.ASSIGNED


@override_settings(SPEAKER_TRAVEL_BUFFER_MINUTES=90)
def test_assignment_refuses_an_overlap_including_the_travel_buffer(world):
    booked = world.request(slots=[in_days(7, hour=10)])  # 10.00–11.00
    speaker_assign(request=booked, presenter=world.board, slot=booked.slots.get())
    too_close = world.request(municipality=world.odense, slots=[in_days(7, hour=12)])  # 60 min gap
    with pytest.raises(ServiceError) as error:
        speaker_assign(request=too_close, presenter=world.board, slot=too_close.slots.get())
    assert error.value.code == "overlap"
    assert "Aarhus" in error.value.message and "90" in error.value.message
    too_close.refresh_from_db()
    assert too_close.status == SpeakerStatus.REQUESTED

    # Exactly the buffer apart, before and after, is allowed.
    start, _ = in_days(7, hour=11)
    after = world.request(
        slots=[(start + datetime.timedelta(minutes=90), start + datetime.timedelta(minutes=150))]
    )
    speaker_assign(request=after, presenter=world.board, slot=after.slots.get())
    before_end = in_days(7, hour=10)[0] - datetime.timedelta(minutes=90)
    before = world.request(slots=[(before_end - datetime.timedelta(hours=1), before_end)])
    speaker_assign(request=before, presenter=world.board, slot=before.slots.get())
    # A minute closer is not.
    closer = world.request(
        slots=[
            (before_end - datetime.timedelta(hours=1), before_end + datetime.timedelta(minutes=1))
        ]
    )
    with pytest.raises(ServiceError, match="already booked"):
        speaker_assign(request=closer, presenter=world.board, slot=closer.slots.get())
    # Another presenter is free at that time.
    speaker_assign(request=closer, presenter=world.secretariat, slot=closer.slots.get())


def test_confirmed_engagements_block_but_declined_and_cancelled_do_not(world):
    confirmed = world.request(slots=[in_days(7)])
    speaker_assign(request=confirmed, presenter=world.board, slot=confirmed.slots.get())
    speaker_accept(request=confirmed, presenter=world.board)
    clash = world.request(slots=[in_days(7)])
    with pytest.raises(ServiceError, match="already booked"):
        speaker_assign(request=clash, presenter=world.board, slot=clash.slots.get())
    speaker_decline(request=confirmed, presenter=world.board, reason="Syg")
    speaker_assign(request=clash, presenter=world.board, slot=clash.slots.get())
    speaker_request_cancel(request=clash, reason="Aflyst af byrådet")
    speaker_assign(request=confirmed, presenter=world.board, slot=confirmed.slots.get())


def test_assignment_only_for_a_waiting_request_and_its_own_slots(world):
    request = world.request()
    other = world.request()
    with pytest.raises(ServiceError, match="proposed"):
        speaker_assign(request=request, presenter=world.board, slot=other.slots.get())
    speaker_assign(request=request, presenter=world.board, slot=request.slots.get())
    with pytest.raises(ServiceError, match="only a request waiting"):
        speaker_assign(request=request, presenter=world.secretariat, slot=request.slots.get())


def test_a_slot_that_has_passed_cannot_be_assigned(world):
    request = world.request(slots=[in_days(2)])
    later = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(ServiceError, match="already passed"):
        speaker_assign(request=request, presenter=world.board, slot=request.slots.get(), now=later)


# --- Status flow and mail -----------------------------------------------------------


def test_status_flow_with_calendar_files(world):
    request = world.request(slots=[in_days(7), in_days(8)])
    slot = request.slots.last()
    speaker_assign(request=request, presenter=world.board, slot=slot)
    request.refresh_from_db()
    assert (request.status, request.presenter, request.starts_at) == (
        SpeakerStatus.ASSIGNED,
        world.board,
        slot.starts_at,
    )
    # Assigned: only the presenter hears, and is asked to answer.
    (assigned,) = OutboxMessage.objects.all()
    assert assigned.to_email == world.board.email
    assert f"/speakers/mine/{request.pk}/" in assigned.body_text
    calendar, event = _event(assigned)
    assert calendar["METHOD"] == "REQUEST"
    uid = str(event["UID"])
    assert (
        uid == request.ics_uid == f"speaker-request-{request.pk}@{settings.MAIL_MESSAGE_ID_DOMAIN}"
    )
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == slot.starts_at
    assert "Aarhus" in str(event["SUMMARY"]) and "Rådhuspladsen" in str(event["LOCATION"])

    # Accepted: presenter and both contacts get the confirmation, same UID, SEQUENCE raised.
    speaker_accept(request=request, presenter=world.board)
    confirmed = OutboxMessage.objects.filter(purpose="speaker_confirmed")
    assert sorted(m.to_email for m in confirmed) == sorted(
        [world.board.email, world.aarhus_contact.email, world.aarhus_contact2.email]
    )
    assert world.odense_contact.email not in {m.to_email for m in OutboxMessage.objects.all()}
    for message in confirmed:
        calendar, event = _event(message)
        assert (calendar["METHOD"], str(event["UID"]), int(event["SEQUENCE"])) == (
            "REQUEST",
            uid,
            2,
        )

    # Cannot be marked held before it starts; afterwards it can, with notes.
    with pytest.raises(ServiceError, match="not started"):
        speaker_mark_held(request=request, presenter=world.board, notes="x")
    after = request.ends_at + datetime.timedelta(hours=1)
    speaker_mark_held(
        request=request, presenter=world.board, notes="Fokus på ældreplejen.", now=after
    )
    request.refresh_from_db()
    assert request.status == SpeakerStatus.HELD and request.held_at == after
    assert presenter_notes_for(round=world.round, municipality=world.aarhus) == [request]
    assert presenter_notes_for(round=world.round, municipality=world.odense) == []
    with pytest.raises(ServiceError, match="cannot be cancelled"):
        speaker_request_cancel(request=request)


def test_cancelling_a_confirmed_engagement_cancels_every_calendar_entry(world):
    request = world.request()
    speaker_assign(request=request, presenter=world.board, slot=request.slots.get())
    speaker_accept(request=request, presenter=world.board)
    speaker_request_cancel(request=request, reason="Mødet er flyttet")
    cancelled = OutboxMessage.objects.filter(purpose="speaker_cancelled")
    assert cancelled.count() == 3
    for message in cancelled:
        calendar, event = _event(message)
        assert calendar["METHOD"] == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert int(event["SEQUENCE"]) == 3
        assert str(event["UID"]) == request.ics_uid
    request.refresh_from_db()
    assert request.status == SpeakerStatus.CANCELLED


def test_decline_returns_the_request_and_cancels_the_presenters_entry(world):
    request = world.request()
    speaker_assign(request=request, presenter=world.board, slot=request.slots.get())
    with pytest.raises(ServiceError, match="reason"):
        speaker_decline(request=request, presenter=world.board, reason=" ")
    with pytest.raises(ServiceError, match="not yours"):
        speaker_decline(request=request, presenter=world.secretariat, reason="Nej")
    speaker_decline(request=request, presenter=world.board, reason="Jeg er på ferie")
    request.refresh_from_db()
    assert request.status == SpeakerStatus.REQUESTED
    assert request.presenter is None and request.starts_at is None
    assert request.decline_reason == "Jeg er på ferie"
    (cancel,) = OutboxMessage.objects.filter(purpose="speaker_cancelled")
    assert cancel.to_email == world.board.email  # the contacts never had an entry
    calendar, event = _event(cancel)
    assert calendar["METHOD"] == "CANCEL" and int(event["SEQUENCE"]) == 2
    # A new presenter: same UID, a higher SEQUENCE.
    speaker_assign(request=request, presenter=world.secretariat, slot=request.slots.get())
    _, event = _event(
        OutboxMessage.objects.get(purpose="speaker_assigned", to_email=world.secretariat.email)
    )
    assert int(event["SEQUENCE"]) == 3


def test_only_the_presenter_may_accept(world):
    request = world.request()
    speaker_assign(request=request, presenter=world.board, slot=request.slots.get())
    with pytest.raises(ServiceError, match="not yours"):
        speaker_accept(request=request, presenter=world.secretariat)
    speaker_accept(request=request, presenter=world.board)
    with pytest.raises(ServiceError, match="waiting for your answer"):
        speaker_accept(request=request, presenter=world.board)


# --- From an inbound message ------------------------------------------------------------


def _inbound(world, **kwargs) -> InboundMessage:
    values = {
        "source": InboundSource.SMTP,
        "raw": b"Subject: x\r\n\r\nx",
        "raw_sha256": "0" * 64,
        "from_email": "kontakt@aarhus.dk",
        "subject": "Oplæg til byrådet i maj",
        "body_text": "Kan KL komme og holde oplæg den 6. maj?",
        "round": world.round,
        "municipality": world.aarhus,
        "parse_status": "parsed",
    }
    values.update(kwargs)
    return InboundMessage.objects.create(**values)


def test_an_inbound_message_becomes_a_speaker_request(world):
    message = _inbound(world)
    request = speaker_request_from_inbound(message=message)
    assert (request.municipality, request.round, request.topic) == (
        world.aarhus,
        world.round,
        "Oplæg til byrådet i maj",
    )
    assert request.note == "Kan KL komme og holde oplæg den 6. maj?"
    assert request.inbound_message == message and request.status == SpeakerStatus.REQUESTED
    message.refresh_from_db()
    assert message.triage_status == TriageStatus.SPEAKER_REQUEST
    with pytest.raises(ServiceError, match="already been handled"):
        speaker_request_from_inbound(message=message)
    # Staff add the proposed times; one in the past is refused.
    with pytest.raises(ServiceError, match="already passed"):
        speaker_slot_add(request=request, starts_at=in_days(-2)[0], ends_at=in_days(-2)[1])
    speaker_slot_add(request=request, starts_at=in_days(9)[0], ends_at=in_days(9)[1])
    speaker_assign(request=request, presenter=world.board, slot=request.slots.get())


def test_an_inbound_message_without_municipality_or_round_is_refused(world):
    with pytest.raises(ServiceError, match="no municipality"):
        speaker_request_from_inbound(message=_inbound(world, municipality=None))
    with pytest.raises(ServiceError, match="no round"):
        speaker_request_from_inbound(message=_inbound(world, round=None))
    assert not world.aarhus.speaker_requests.exists()


def test_someone_with_both_roles_can_present_either_kind(world):
    both = person_upsert(
        email="begge@kl.example",
        name="Berit Begge",
        roles=[RoleKind.BOARD_MEMBER, RoleKind.SECRETARIAT],
    )
    request = world.request(presenter_kind=PresenterKind.SECRETARIAT)
    speaker_assign(request=request, presenter=both, slot=request.slots.get())


def test_presenter_notes_show_on_the_municipalitys_input_page(world, staff_client):
    from django.urls import reverse

    request = world.request(slots=[in_days(7)])
    speaker_assign(request=request, presenter=world.board, slot=request.slots.get())
    speaker_accept(request=request, presenter=world.board)
    request.refresh_from_db()
    speaker_mark_held(
        request=request,
        presenter=world.board,
        notes="Byrådet pegede på ældreplejen.",
        now=request.ends_at + datetime.timedelta(hours=1),
    )
    page = staff_client.get(
        reverse("councils:staff_input", args=[world.round.slug, world.aarhus.code])
    ).content.decode()
    assert "Byrådet pegede på ældreplejen." in page
    other = staff_client.get(
        reverse("councils:staff_input", args=[world.round.slug, world.odense.code])
    ).content.decode()
    assert "Byrådet pegede på ældreplejen." not in other
