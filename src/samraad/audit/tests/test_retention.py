"""A round's retention: anonymised the day after its retention date, once, counts kept."""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from samraad.audit.models import AuditAction, AuditEvent, RoundAnonymisation
from samraad.audit.privacy import round_outbox_messages, rounds_retention_due
from samraad.mail.models import InboundAttachment, InboundMessage, OutboxMessage
from samraad.mail.services import mail_queue
from samraad.meetings.models import AttendanceImport, AttendanceRecord, Registration
from samraad.rounds.models import Round
from samraad.tests_support.factories import MeetingFactory, PersonFactory, SessionFactory

TODAY = datetime.date(2026, 11, 29)


def _round_with_personal_data(code: str, retention_date: datetime.date | None):
    meeting = MeetingFactory(round__code=code, round__retention_date=retention_date)
    session = SessionFactory(meeting=meeting)
    people = [PersonFactory() for _ in range(3)]
    registrations = [
        Registration.objects.create(
            meeting=meeting, session=session, person=p, status="confirmed", question=f"Q {code}"
        )
        for p in people
    ]
    report = AttendanceImport.objects.create(
        session=session,
        filename="r.csv",
        sha256=code.encode().hex().ljust(64, "0")[:64],
        size=1,
        imported_at=timezone.now(),
        format="sections",
        rows=3,
    )
    for p in people[:2]:
        AttendanceRecord.objects.create(
            attendance_import=report,
            session=session,
            person=p,
            name=p.name,
            email=p.email,
            key=p.email,
            seconds=60,
            matched_by="email",
        )
    AttendanceRecord.objects.create(
        attendance_import=report,
        session=session,
        name="Ukendt Gæst",
        email="gaest@example.dk",
        key="gaest@example.dk",
        seconds=30,
    )
    inbound = InboundMessage.objects.create(
        source="smtp",
        raw=b"From: borgmester@aarhus.dk\r\n\r\nHej",
        raw_sha256="1" * 64,
        from_email="borgmester@aarhus.dk",
        from_name="Borgmester Aarhus",
        subject=f"Input {code}",
        body_text="Hej fra Aarhus",
        round=meeting.round,
    )
    InboundAttachment.objects.create(
        message=inbound, filename="a.pdf", content_type="application/pdf", size=1, content=b"x"
    )
    for registration in registrations:
        mail_queue(
            purpose="registration_confirmation",
            to_email=registration.person.email,
            person=registration.person,
            subject=f"Tilmelding {code}",
            text=f"Hej {registration.person.name}",
            about=f"registration:{registration.pk}:0",
        )
    return meeting


def _personal(meeting) -> dict:
    round_ = meeting.round
    return {
        "questions": list(
            Registration.objects.filter(meeting=meeting).values_list("question", flat=True)
        ),
        "attendance": list(
            AttendanceRecord.objects.filter(session__meeting=meeting).values_list("name", "email")
        ),
        "inbound": list(
            InboundMessage.objects.filter(round=round_).values_list(
                "from_email", "from_name", "subject", "body_text"
            )
        ),
        "outbox": list(
            OutboxMessage.objects.filter(subject__endswith=round_.code).values_list(
                "to_email", "body_text"
            )
        ),
    }


def _counts(meeting) -> tuple[int, ...]:
    return (
        Registration.objects.filter(meeting=meeting, status="confirmed").count(),
        AttendanceRecord.objects.filter(session__meeting=meeting, person__isnull=False).count(),
        AttendanceRecord.objects.filter(session__meeting=meeting).count(),
        InboundMessage.objects.filter(round=meeting.round).count(),
    )


@pytest.fixture
def rounds(db):
    return {
        "past": _round_with_personal_data("ØA90", TODAY - datetime.timedelta(days=1)),
        "today": _round_with_personal_data("ØA91", TODAY),
        "future": _round_with_personal_data("ØA92", TODAY + datetime.timedelta(days=30)),
        "none": _round_with_personal_data("ØA93", None),
    }


def test_the_outbox_rows_of_a_round_are_found_by_what_they_are_about(rounds):
    past = rounds["past"]
    found = round_outbox_messages(past.round)
    assert found.count() == 3
    assert {m.subject for m in found} == {"Tilmelding ØA90"}


def test_only_rounds_past_their_retention_date_are_anonymised(rounds):
    untouched = {key: _personal(m) for key, m in rounds.items() if key != "past"}
    counts = _counts(rounds["past"])
    assert rounds_retention_due(today=TODAY) == 1
    past = rounds["past"]
    assert _personal(past) == {
        "questions": ["", "", ""],
        "attendance": [("", ""), ("", ""), ("", "")],
        "inbound": [("", "", "", "")],
        "outbox": [],  # subjects cleared: nothing of the round's mail names it any more
    }
    scrubbed = round_outbox_messages(past.round)
    assert not scrubbed.exists()  # their keys no longer name what they were about
    assert OutboxMessage.objects.filter(subject="", body_text="").count() == 3
    assert bytes(InboundMessage.objects.get(round=past.round).raw) == b""
    assert not InboundAttachment.objects.filter(message__round=past.round).exists()
    assert _counts(past) == counts
    assert {key: _personal(m) for key, m in rounds.items() if key != "past"} == untouched
    anonymisation = RoundAnonymisation.objects.get()
    assert anonymisation.round == past.round
    assert anonymisation.counts == {
        "questions": 3,
        "attendance_records": 3,
        "inbound_messages": 1,
        "outbox_messages": 3,
    }
    event = AuditEvent.objects.get(action=AuditAction.RETENTION)
    assert event.object_id == str(past.round.pk)
    assert event.actor is None


def test_running_it_twice_changes_nothing(rounds):
    rounds_retention_due(today=TODAY)
    snapshot = {key: _personal(m) for key, m in rounds.items()}
    events = AuditEvent.objects.count()
    assert rounds_retention_due(today=TODAY) == 0
    assert {key: _personal(m) for key, m in rounds.items()} == snapshot
    assert AuditEvent.objects.count() == events
    assert RoundAnonymisation.objects.count() == 1


def test_the_worker_runs_it_and_there_is_a_command(rounds):
    assert "samraad.audit.privacy.rounds_retention_due" in settings.WORKER_PERIODIC_JOBS
    today = timezone.localdate()
    Round.objects.filter(code="ØA91").update(retention_date=today - datetime.timedelta(days=1))
    Round.objects.filter(code="ØA92").update(retention_date=today)
    out = io.StringIO()
    call_command("retention", stdout=out)
    anonymised = set(RoundAnonymisation.objects.values_list("round__code", flat=True))
    assert anonymised == {"ØA90", "ØA91"}
    assert out.getvalue().strip() == "2 round(s) anonymised."
    call_command("retention", stdout=out)
    assert out.getvalue().strip().endswith("0 round(s) anonymised.")


def test_a_copied_round_keeps_its_retention_a_year_later(db):
    from samraad.rounds.services import round_copy
    from samraad.tests_support.factories import RoundFactory

    source = RoundFactory(code="ØA40", slug="oa40", retention_date=datetime.date(2026, 12, 31))
    copy = round_copy(source=source)
    assert copy.retention_date == datetime.date(2027, 12, 30)  # 52 weeks on, same weekday
