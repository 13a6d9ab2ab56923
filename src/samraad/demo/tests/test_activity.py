"""`samraad demo` fills the round with what has happened so far, and last year's round."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from samraad.councils.models import AttachmentSource, CouncilInput, InputStatus, InputVersion
from samraad.directory.models import Municipality, Person, RoleKind
from samraad.mail.models import InboundMessage, OutboxMessage, OutboxStatus, ParseStatus
from samraad.mail.models import TriageStatus as Triage
from samraad.meetings.models import (
    AttendanceImport,
    AttendanceRecord,
    Invitation,
    Registration,
    RegistrationStatus,
)
from samraad.regional.models import KkrQuote, KkrRecord, KkrRecordStatus
from samraad.rounds.models import Round
from samraad.rounds.selectors import round_current
from samraad.speakers.models import SpeakerRequest, SpeakerStatus

pytestmark = pytest.mark.django_db


def _demo(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def _counts():
    models = (
        Round,
        Registration,
        Invitation,
        CouncilInput,
        InputVersion,
        KkrRecord,
        KkrQuote,
        InboundMessage,
        SpeakerRequest,
        AttendanceRecord,
        OutboxMessage,
        Person,
    )
    return {model.__name__: model.objects.count() for model in models}


def _inputs_from(round_):
    return (
        CouncilInput.objects.filter(round=round_, versions__isnull=False)
        .values("municipality")
        .distinct()
        .count()
    )


def test_demo_loads_activity_in_the_current_round_and_a_complete_previous_round():
    output = _demo()

    _check_current_round(output, Round.objects.get(code="ØA26"))
    _check_previous_round(Round.objects.get(code="ØA25"), Round.objects.get(code="ØA26"))


def _check_current_round(output, round_):
    members = Person.objects.with_role(RoleKind.COUNCIL_MEMBER)

    assert "ØA26: 2440 invited" in output
    assert "ØA25:" in output

    # the current round is still ØA26 (what / and the staff home show)
    assert round_current() == round_

    # track 1: invitations, ~1,200 registrations over both sessions, below capacity
    meeting = round_.meeting
    assert Invitation.objects.filter(meeting=meeting).count() == members.count()
    confirmed = Registration.objects.filter(meeting=meeting, status=RegistrationStatus.CONFIRMED)
    assert 1100 <= confirmed.count() <= 1250
    for session in meeting.sessions.annotate(
        seats=Count("registrations", filter=Q(registrations__status="confirmed"))
    ):
        assert 300 <= session.seats <= session.capacity
    assert not confirmed.exclude(person__in=members).exists()
    questions = Registration.objects.filter(meeting=meeting).exclude(question="")
    assert 140 <= questions.count() <= 160
    assert all("?" in q for q in questions.values_list("question", flat=True)[:20])
    # registration is open: no join link out, no attendance yet
    assert not confirmed.filter(link_sent_at__isnull=False).exists()
    assert not AttendanceImport.objects.filter(session__meeting=meeting).exists()
    # members of every region registered, some regions keener than others
    regions = confirmed.values("person__municipality__region").distinct().count()
    assert regions == 5

    # track 3: input from ≥ 55 municipalities, ~10 drafts, some with a second version
    assert _inputs_from(round_) >= 55
    drafts = CouncilInput.objects.filter(round=round_, versions__isnull=True)
    assert 8 <= drafts.count() <= 14  # 10 drafts, and emailed input some staff attached
    assert drafts.filter(status=InputStatus.DRAFT).count() == drafts.count()
    twice = CouncilInput.objects.filter(round=round_).annotate(n=Count("versions")).filter(n=2)
    assert twice.count() >= 5
    submitted = CouncilInput.objects.filter(round=round_, versions__isnull=False).distinct()
    for council_input in submitted[:10]:
        assert len(council_input.economic_situation.split()) > 60
        assert council_input.proposals and council_input.budget_remarks
        assert council_input.ratings.filter(rating__gte=4).exists()
        assert council_input.submitted_at <= timezone.now()
    assert submitted.filter(status__in=[InputStatus.RECEIVED, InputStatus.USED]).exists()
    regions_with_input = submitted.values("municipality__region").distinct().count()
    assert regions_with_input == 5
    # the keen north sends input more often than the capital (the map shows it)
    share = {
        code: submitted.filter(municipality__region__code=code).count()
        / Municipality.objects.filter(region__code=code).count()
        for code in (1081, 1084)
    }
    assert share[1081] > share[1084]

    # track 2: a record for every KKR meeting, summary, challenges, themes and 2–4 quotes
    records = KkrRecord.objects.filter(meeting__round=round_).select_related("meeting")
    assert records.count() == 5
    for record in records:
        assert record.summary and record.challenges
        assert record.themes.exists()
        quotes = list(record.quotes.select_related("municipality"))
        assert 2 <= len(quotes) <= 4
        assert {q.municipality.region_id for q in quotes} == {record.meeting.region_id}
        assert record.meeting.agenda_items.filter(is_round_item=True).count() == 1
    assert records.filter(status=KkrRecordStatus.APPROVED).count() == 4
    assert KkrRecord.objects.filter(meeting__round=round_, minutes__isnull=False).exists()

    # emailed input: parsed, matched by domain, some attached, one left in triage
    messages = InboundMessage.objects.filter(round=round_)
    assert messages.count() == 6
    assert not messages.exclude(parse_status=ParseStatus.PARSED).exists()
    assert not messages.filter(municipality__isnull=True).exists()
    triage = dict(messages.values_list("triage_status").annotate(n=Count("id")))
    assert triage == {
        Triage.NEW: 1,
        Triage.ATTACHED: 3,
        Triage.SPEAKER_REQUEST: 1,
        Triage.DISMISSED: 1,
    }
    waiting = messages.get(triage_status=Triage.NEW)
    assert waiting.subject.startswith("VS:")  # a colleague's forward, matched by the original
    assert waiting.original_from_email.endswith(f"@{waiting.municipality.slug}.dk")
    attached = CouncilInput.objects.filter(round=round_).exclude(email_notes="")
    assert attached.count() == 3
    emailed = CouncilInput.objects.filter(round=round_, attachments__source=AttachmentSource.EMAIL)
    assert emailed.count() == 1
    assert any(b'charset="iso-8859-1"' in bytes(m.raw) for m in messages)

    # speaker requests in each state, the held ones with the presenter's notes
    requests = SpeakerRequest.objects.filter(round=round_)
    statuses = set(requests.values_list("status", flat=True))
    assert {
        SpeakerStatus.REQUESTED,
        SpeakerStatus.ASSIGNED,
        SpeakerStatus.CONFIRMED,
        SpeakerStatus.HELD,
    } <= statuses
    for held in requests.filter(status=SpeakerStatus.HELD):
        assert held.presenter_notes and held.starts_at < timezone.now()
    assert requests.filter(inbound_message__isnull=False).count() == 1

    # what the demo's history mailed counts as sent: the worker has nothing old to deliver
    assert not OutboxMessage.objects.filter(status=OutboxStatus.QUEUED).exists()
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() > 100


def _check_previous_round(previous, current):
    assert (previous.year, previous.slug, previous.is_published) == (2025, "oa25", True)
    assert current.starts_on - previous.starts_on == datetime.timedelta(weeks=52)
    assert "ØA25" in previous.title and "ØA26" not in previous.intro
    assert previous.meeting.registration_deadline < timezone.now()

    # attendance imported from each session's Teams report, most registrants matched
    imports = AttendanceImport.objects.filter(session__meeting=previous.meeting)
    assert imports.count() == 2
    matched = AttendanceRecord.objects.filter(
        session__meeting=previous.meeting, person__isnull=False
    )
    confirmed = Registration.objects.filter(
        meeting=previous.meeting, status=RegistrationStatus.CONFIRMED
    )
    assert 0.65 * confirmed.count() <= matched.count() <= 0.95 * confirmed.count()
    # KL's own staff and the anonymous rows are set aside; one guest waits for staff
    open_rows = AttendanceRecord.objects.filter(
        session__meeting=previous.meeting, person__isnull=True, dismissed=False
    )
    assert open_rows.count() == 2
    assert AttendanceRecord.objects.filter(session__meeting=previous.meeting, dismissed=True)
    # the join links went out at the release, so the worker sends none now
    assert not confirmed.filter(link_sent_at__isnull=True).exists()

    assert _inputs_from(previous) >= 45
    assert not CouncilInput.objects.filter(round=previous, status=InputStatus.DRAFT).exists()
    assert CouncilInput.objects.filter(round=previous, status=InputStatus.USED).count() >= 40
    records = KkrRecord.objects.filter(meeting__round=previous)
    assert records.count() == 5
    assert not records.exclude(status=KkrRecordStatus.APPROVED).exists()
    assert all(r.approved_at < timezone.now() for r in records)
    held = SpeakerRequest.objects.filter(round=previous, status=SpeakerStatus.HELD)
    assert held.count() == 3
    assert all(r.presenter_notes for r in held)


def test_loading_again_adds_nothing():
    _demo()
    counts = _counts()

    assert "already has a round" in _demo("--if-empty")
    assert _counts() == counts

    output = _demo()
    assert _counts() == counts
    assert "ØA25:" not in output  # the activity is there already, so nothing is played
