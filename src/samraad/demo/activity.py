"""What has happened in a demo round by a given moment: the data behind the insights.

`activity_load` plays a round's history through the apps' services where
they exist (council input saved and submitted, KKR meetings and records,
speaker requests, emailed input parsed and triaged, attendance imported from
a generated Teams report), so the data is what the product itself would
have written. Two things are written in bulk with the models instead,
because doing them one by one through the services would take many seconds
and queue thousands of mails on every `make run`: the invitations with
their personal links, and the registrations (see `_invitations` and
`_registrations` for what they keep consistent).

A round's phases are played only as far as `as_of` reaches: registrations
up to the deadline, attendance for sessions that have ended. The current demo
round (registration open today) so has registrations and advance questions
but no attendance; the previous round is complete. The brief for the demo
asks for KKR records and council input in the current round too, so that
the insights are meaningful on first start, even though the KKR meetings of
the shifted timeline lie a few weeks ahead.

Services stamp their own time; the demo moves those stamps back to when
each step happened in the story and records the mail the steps queued as
sent then (demo.history). The emails are in demo.emails.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import math
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from samraad.accounts.models import AccessLink, AccessPurpose, User
from samraad.accounts.services import _round_end  # the expiry access_link_create gives
from samraad.core.timeutils import local_datetime
from samraad.councils.models import CouncilInput, InputAttachment, InputStatus, InputVersion
from samraad.councils.services import (
    InputData,
    council_input_get,
    council_input_mark,
    council_input_save,
    council_input_submit,
)
from samraad.demo import corpus
from samraad.demo.documents import Attendee, simple_pdf, teams_report
from samraad.demo.emails import inbound_emails_load
from samraad.demo.history import (
    DAY,
    HOUR,
    MINUTE,
    Stamps,
    between,
    contacts_by_municipality,
    local,
    mail_sent,
    outbox_mark,
    restamp,
    weighted_sample,
)
from samraad.directory.models import Municipality, Person, RoleKind
from samraad.meetings.attendance_services import attendance_import, attendance_record_dismiss
from samraad.meetings.models import (
    Invitation,
    Meeting,
    Registration,
    RegistrationStatus,
)
from samraad.regional.models import KkrMeeting, KkrRecord
from samraad.regional.services import (
    QuoteData,
    kkr_meeting_update,
    kkr_record_approve,
    kkr_record_save,
)
from samraad.rounds.models import Round
from samraad.speakers.models import MeetingFormat, PresenterKind, SpeakerRequest
from samraad.speakers.services import (
    speaker_accept,
    speaker_assign,
    speaker_mark_held,
    speaker_request_cancel,
    speaker_request_create,
)

# How readily each region's councils send input (the map and the region table show it).
INPUT_KEENNESS = {1081: 1.6, 1082: 1.2, 1083: 1.0, 1084: 0.7, 1085: 0.9}
# …and how readily each region's members register for the large meeting.
REGISTRATION_KEENNESS = {1081: 1.25, 1082: 1.1, 1083: 1.0, 1084: 0.8, 1085: 0.95}


@dataclass(frozen=True)
class Plan:
    """How much of each kind of activity a round gets."""

    registrations: int
    questions: int
    cancelled: int
    submitted: int
    drafts: int
    second_versions: int
    received: int
    used: int
    approved_kkr: int | None  # None: every record
    attendance_share: float = 0.78
    emails: bool = False


CURRENT = Plan(
    registrations=1200,
    questions=150,
    cancelled=12,
    submitted=60,
    drafts=10,
    second_versions=6,
    received=24,
    used=8,
    approved_kkr=4,
    emails=True,
)
PREVIOUS = Plan(
    registrations=1150,
    questions=130,
    cancelled=20,
    submitted=46,
    drafts=0,
    second_versions=0,
    received=46,
    used=42,
    approved_kkr=None,
)


@dataclass
class ActivitySummary:
    round: str
    invited: int = 0
    registrations: int = 0
    questions: int = 0
    attended: int = 0
    inputs_submitted: int = 0
    input_drafts: int = 0
    kkr_records: int = 0
    inbound: int = 0
    speaker_requests: int = 0

    def line(self) -> str:
        return (
            f"{self.round}: {self.invited} invited, {self.registrations} registered "
            f"({self.questions} with a question), {self.attended} attended; input from "
            f"{self.inputs_submitted} municipalities ({self.input_drafts} drafts); "
            f"{self.kkr_records} KKR records; {self.inbound} emails; "
            f"{self.speaker_requests} speaker requests."
        )


def _rng(seed: int, round_: Round, part: str) -> random.Random:
    # Each part has its own stream, so changing one part leaves the others' data as it was.
    return random.Random(f"{seed}:{round_.code}:{part}")  # noqa: S311  (made-up data)


# --- Track 1: invitations, registrations, attendance -----------------------------------


@dataclass(frozen=True)
class _Member:
    pk: int
    name: str
    email: str
    municipality_id: int
    region_code: int


def _council_members() -> list[_Member]:
    return [
        _Member(*row)
        for row in Person.objects.with_role(RoleKind.COUNCIL_MEMBER)
        .order_by("pk")
        .distinct()
        .values_list("pk", "name", "email", "municipality_id", "municipality__region__code")
    ]


def _invitations(meeting: Meeting, members: list[_Member], as_of: datetime.datetime) -> int:
    """Every council member invited when registration opened (as `invitations_send` leaves
    it, without the mail)."""
    sent_at = min(meeting.registration_opens_at + HOUR, as_of)
    Invitation.objects.bulk_create(
        (Invitation(meeting=meeting, person_id=m.pk, sent_at=sent_at) for m in members),
        batch_size=1000,
    )
    return len(members)


def _links(meeting: Meeting, opened: dict[int, datetime.datetime]) -> None:
    """The personal links members opened, each when they opened it.

    Every invitation carried a link, but a link nobody opened shows nowhere,
    so only the opened ones are written. Their tokens are thrown away: nobody
    can use them.
    """
    links = AccessLink.objects.bulk_create(
        (
            AccessLink(
                round=meeting.round,
                person_id=person_id,
                purpose=AccessPurpose.MEMBER,
                token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
                expires_at=_round_end(meeting.round),
                first_used_at=at,
                last_used_at=at,
            )
            for person_id, at in opened.items()
        ),
        batch_size=1000,
    )
    sent_at = meeting.registration_opens_at + HOUR
    AccessLink.objects.filter(pk__in=[link.pk for link in links]).update(created_at=sent_at)


def _registrations(
    meeting: Meeting,
    members: list[_Member],
    plan: Plan,
    rng: random.Random,
    as_of: datetime.datetime,
) -> list[Registration]:
    """`plan.registrations` members registered (and some cancelled) before `as_of`.

    Written in bulk as `registration_submit` leaves them: one registration per
    member, never more confirmed than a session's capacity, the advance
    question on the registration, the join link marked sent where the release
    time has passed (so the worker does not send it again). Municipalities
    differ in how keen their members are, and so do regions. The members'
    personal links are marked opened just before they registered, and some
    members opened theirs without registering.
    """
    sessions = list(meeting.sessions.order_by("starts_at"))
    closes = min(meeting.registration_deadline, as_of)
    released = meeting.effective_link_release_at <= as_of
    keenness: dict[int, float] = {}
    for member in members:
        if member.municipality_id not in keenness:
            region = REGISTRATION_KEENNESS.get(member.region_code, 1.0)
            keenness[member.municipality_id] = region * math.exp(rng.gauss(0, 0.45))
    chosen = weighted_sample(
        rng, members, [keenness[m.municipality_id] for m in members], plan.registrations
    )
    seats = {session.pk: session.capacity for session in sessions}
    questions = set(rng.sample(range(len(chosen)), min(plan.questions, len(chosen))))
    cancelled = set(rng.sample(range(len(chosen)), min(plan.cancelled, len(chosen))))
    registrations = []
    stamps = []
    opened: dict[int, datetime.datetime] = {}
    for index, member in enumerate(chosen):
        session = sessions[0] if rng.random() < 0.56 or len(sessions) == 1 else sessions[1]
        if seats[session.pk] <= 0:
            session = next((s for s in sessions if seats[s.pk] > 0), None)
            if session is None:
                break
        status = RegistrationStatus.CONFIRMED
        if index in cancelled:
            status = RegistrationStatus.CANCELLED
        else:
            seats[session.pk] -= 1
        created = between(rng, meeting.registration_opens_at + 2 * HOUR, closes)
        question = ""
        if index in questions:
            question = corpus.advance_question(
                rng, region=member.region_code, year=meeting.round.year
            )
        registrations.append(
            Registration(
                meeting=meeting,
                session=session,
                person_id=member.pk,
                status=status,
                question=question,
                sequence=1 if status == RegistrationStatus.CANCELLED else 0,
                link_sent_at=(
                    meeting.effective_link_release_at
                    if released and status == RegistrationStatus.CONFIRMED
                    else None
                ),
            )
        )
        stamps.append(created)
        opened[member.pk] = created - datetime.timedelta(minutes=rng.randint(1, 20))
    Registration.objects.bulk_create(registrations, batch_size=500)
    restamp(
        Registration,
        ["created_at", "updated_at"],
        [(r.pk, at, at) for r, at in zip(registrations, stamps, strict=True)],
    )
    for member in members:
        if member.pk not in opened and rng.random() < 0.12:
            opened[member.pk] = between(rng, meeting.registration_opens_at, closes)
    _links(meeting, opened)
    return registrations


def _attendance(
    meeting: Meeting,
    registrations: list[Registration],
    members: list[_Member],
    plan: Plan,
    rng: random.Random,
    as_of: datetime.datetime,
    staff: User | None,
) -> int:
    """Import each ended session's Teams report through the attendance service.

    The report lists most of the session's registrants, a few members who came
    without registering, the organiser and a presenter from KL, an anonymous
    participant and a guest nobody knows. Staff have set aside the KL staff
    and the anonymous row; the guest is left for staff to resolve.
    """
    attended = 0
    kl = list(Person.objects.with_role(RoleKind.SECRETARIAT).order_by("pk").distinct()[:4])
    hosts = [(kl[0], "Arrangør"), (kl[-1], "Præsentationsvært")] if kl else []
    by_pk = {member.pk: member for member in members}
    registered = {r.person_id for r in registrations}
    walk_ins = [m for m in members if m.pk not in registered]
    for number, session in enumerate(meeting.sessions.order_by("starts_at"), start=1):
        if session.ends_at + DAY > as_of:
            continue
        start, end = session.starts_at, session.ends_at
        people = [
            by_pk[r.person_id]
            for r in registrations
            if r.session_id == session.pk
            and r.status == RegistrationStatus.CONFIRMED
            and rng.random() < plan.attendance_share
        ]
        people += rng.sample(walk_ins, min(6, len(walk_ins)))
        attendees = [
            Attendee(host.name, host.email, role, [(start - 20 * MINUTE, end + 2 * MINUTE)])
            for host, role in hosts
        ]
        for person in people:
            joined = start + datetime.timedelta(seconds=rng.randint(-300, 900))
            left = end - datetime.timedelta(seconds=rng.choice([0, 0, 60, 600, 1800, 2400]))
            intervals = [(joined, left)]
            if rng.random() < 0.08:  # dropped out and came back
                gap = joined + (left - joined) / 2
                intervals = [(joined, gap), (gap + datetime.timedelta(minutes=3), left)]
            attendees.append(Attendee(person.name, person.email, "Deltager", intervals))
        attendees.append(Attendee("Anonym", "", "Deltager", [(start + 10 * MINUTE, end)]))
        attendees.append(
            Attendee(
                "Gæst (ekstern)",
                f"gaest{number}@example.org",
                "Deltager",
                [(start + 5 * MINUTE, end - 15 * MINUTE)],
            )
        )
        data = teams_report(
            title=f"{meeting.title} – session {number}", start=start, end=end, attendees=attendees
        )
        imported = attendance_import(
            session=session,
            data=data,
            filename=f"Deltagerliste session {number}.csv",
            user=staff,
            now=end + DAY,
        )
        attended += imported.records.filter(person__isnull=False).count()
        for record in imported.records.filter(person__isnull=True).exclude(
            email__endswith="@example.org"
        ):
            record.refresh_from_db()
            if record.dismissed:
                continue
            reason = "Anonym deltager" if not record.email else "Arrangør fra KL's sekretariat"
            attendance_record_dismiss(record=record, reason=reason, user=staff, now=end + DAY)
    return attended


# --- Track 3: council input ----------------------------------------------------------


def _input_data(
    fields: dict, themes: dict[str, int], *, discussed_on: datetime.date | None
) -> InputData:
    return InputData(
        economic_situation=fields["economic_situation"],
        proposals=fields["proposals"],
        budget_remarks=fields["budget_remarks"],
        council_discussed=discussed_on is not None,
        council_discussed_on=discussed_on,
        ratings={
            themes[key]: (rating, text)
            for key, (rating, text) in fields["ratings"].items()
            if key in themes
        },
    )


def _council_inputs(
    round_: Round, plan: Plan, rng: random.Random, as_of: datetime.datetime
) -> tuple[int, int]:
    """Input from `plan.submitted` municipalities (some submitted twice) and drafts from
    `plan.drafts` more, through the council services; staff marked some received or used."""
    municipalities = list(Municipality.objects.select_related("region").order_by("code"))
    weights = [INPUT_KEENNESS.get(m.region.code, 1.0) for m in municipalities]
    chosen = weighted_sample(rng, municipalities, weights, plan.submitted + plan.drafts)
    submitters = chosen[: plan.submitted]
    themes = dict(round_.themes.values_list("key", "pk"))
    contacts = contacts_by_municipality()
    opened = local_datetime(round_.starts_on.year, round_.starts_on.month, round_.starts_on.day, 9)
    closes = min(round_.input_deadline or as_of, as_of)
    second = set(rng.sample(range(len(submitters)), min(plan.second_versions, len(submitters))))
    stamps = Stamps()
    submitted_at: dict[int, datetime.datetime] = {}
    mail_since = outbox_mark()

    for index, municipality in enumerate(chosen):
        people = contacts.get(municipality.pk, [])
        contact = people[0] if people else None
        name = contact.name if contact else municipality.name
        is_draft = index >= len(submitters)
        when = between(rng, opened + 14 * DAY, closes - (2 * DAY if index in second else 0 * DAY))
        fields = corpus.council_input_text(municipality, rng, year=round_.year)
        discussed_on = None
        if not is_draft and rng.random() < 0.7:
            discussed_on = timezone.localdate(when - rng.randint(1, 9) * DAY)
        files = []
        if not is_draft and rng.random() < 0.15:
            files.append(
                SimpleUploadedFile(
                    f"Budgetnotat {municipality.name} {round_.year}.pdf",
                    simple_pdf(
                        f"{municipality.name}: økonomisk redegørelse til {round_.code}",
                        fields["economic_situation"].split("\n\n"),
                    ),
                    content_type="application/pdf",
                )
            )
        council_input = council_input_get(round=round_, municipality=municipality)
        data = _input_data(fields, themes, discussed_on=discussed_on)
        versions = [(data, files, when)]
        if index in second:
            revision = corpus.council_input_revision(municipality, rng, year=round_.year)
            revised = dataclasses.replace(
                _input_data(fields, themes, discussed_on=discussed_on or timezone.localdate(when)),
                economic_situation=f"{data.economic_situation}\n\n{revision}",
            )
            versions.append((revised, [], between(rng, when + DAY, closes)))
        for data, files, at in versions:
            council_input = council_input_save(
                council_input=council_input,
                expected_version=council_input.version,
                data=data,
                files=files,
                by_name=name,
            )
            if files:
                stamps.add(InputAttachment, ["uploaded_at"], *_attachment_rows(council_input, at))
            if is_draft:
                stamps.add(CouncilInput, ["updated_at"], (council_input.pk, at))
                continue
            version = council_input_submit(
                council_input=council_input,
                expected_version=council_input.version,
                by=contact,
                by_name=name,
            )
            stamps.add(CouncilInput, ["updated_at", "submitted_at"], (council_input.pk, at, at))
            stamps.add(InputVersion, ["submitted_at"], (version.pk, at))
            mail_until = outbox_mark()
            stamps.mail(mail_since, mail_until, at)
            mail_since = mail_until
            submitted_at[council_input.pk] = at

    # Staff marked the earliest submissions received, and some of those used.
    earliest = sorted(submitted_at, key=submitted_at.__getitem__)[: plan.received]
    for n, pk in enumerate(earliest):
        council_input = CouncilInput.objects.get(pk=pk)
        received = min(submitted_at[pk] + rng.randint(1, 5) * DAY, as_of)
        council_input_mark(council_input=council_input, status=InputStatus.RECEIVED)
        used = None
        if n < plan.used:
            council_input_mark(council_input=council_input, status=InputStatus.USED)
            used = min(received + rng.randint(2, 10) * DAY, as_of)
        stamps.add(CouncilInput, ["received_at", "used_at"], (pk, received, used))
    stamps.apply()
    return len(submitted_at), len(chosen) - len(submitters)


def _attachment_rows(council_input: CouncilInput, at: datetime.datetime) -> list[tuple]:
    return [(pk, at) for pk in council_input.attachments.values_list("pk", flat=True)]


# --- Track 2: KKR meetings and their records -----------------------------------------


AGENDA = [
    "Godkendelse af dagsorden",
    "Meddelelser fra formandskabet",
    None,  # the round's item
    "Regional udvikling og infrastruktur",
    "Eventuelt",
]


def _kkr_records(
    round_: Round, plan: Plan, rng: random.Random, as_of: datetime.datetime, fallback: User | None
) -> int:
    """Every KKR meeting's agenda and discussion record, by its KKR secretary; most approved."""
    meetings = list(
        KkrMeeting.objects.filter(round=round_).select_related("region").order_by("starts_at")
    )
    themes = {theme.key: theme for theme in round_.themes.all()}
    secretaries = {
        person.region_id: getattr(person, "user", None)
        for person in Person.objects.with_role(RoleKind.KKR_SECRETARY).select_related("user")
    }
    approve = set(range(len(meetings) if plan.approved_kkr is None else plan.approved_kkr))
    for index, meeting in enumerate(meetings):
        by = secretaries.get(meeting.region_id) or fallback
        if by is None:
            continue
        titles = [title or meeting.agenda_item for title in AGENDA]
        kkr_meeting_update(
            meeting=meeting,
            starts_at=meeting.starts_at,
            place=meeting.place,
            agenda=titles,
            round_item=AGENDA.index(None) + 1,
        )
        municipalities = list(Municipality.objects.filter(region=meeting.region))
        by_name = {m.name: m for m in municipalities}
        text = corpus.kkr_summary(
            meeting.region,
            rng,
            municipalities=municipalities,
            year=round_.year,
            quotes=rng.randint(2, 4),
        )
        files = []
        if index % 2 == 0:
            files.append(
                SimpleUploadedFile(
                    f"Referat {meeting.region.kkr_name} {round_.code}.pdf",
                    simple_pdf(
                        f"Referat af mødet i {meeting.region.kkr_name}",
                        [f"Punkt: {meeting.agenda_item}", text.summary, text.challenges],
                    ),
                    content_type="application/pdf",
                )
            )
        record = KkrRecord.objects.get(meeting=meeting)
        record = kkr_record_save(
            meeting=meeting,
            version=record.version,
            summary=text.summary,
            challenges=text.challenges,
            themes=[themes[key] for key in text.theme_keys if key in themes],
            quotes=[
                QuoteData(
                    text=quote.text,
                    speaker_role=quote.speaker_role,
                    municipality=by_name[quote.municipality.name],
                )
                for quote in text.quotes
                if quote.municipality.name in by_name
            ],
            files=files,
            by=by,
        )
        written = min(meeting.starts_at + rng.randint(1, 3) * DAY, as_of)
        stamps = {"updated_at": written}
        if index in approve:
            record = kkr_record_approve(meeting=meeting, version=record.version, by=by)
            stamps["updated_at"] = stamps["approved_at"] = min(written + 2 * DAY, as_of)
        KkrRecord.objects.filter(pk=record.pk).update(**stamps)
        record.minutes.update(uploaded_at=written)
    return len(meetings)


# --- Track 3: speaker requests ----------------------------------------------------------


def _presenters() -> tuple[list[Person], list[Person]]:
    board = list(Person.objects.with_role(RoleKind.BOARD_MEMBER).order_by("pk"))
    secretariat = list(
        Person.objects.with_role(RoleKind.SECRETARIAT)
        .filter(title__startswith="Konsulent")
        .order_by("pk")
    )
    return board, secretariat


@dataclass(frozen=True)
class _Engagement:
    kind: str
    status: str  # held, confirmed, assigned, requested, cancelled
    days: int  # the meeting's day, counted from the story's "today" (see activity_load)
    online: bool = False


CURRENT_ENGAGEMENTS = [
    _Engagement(PresenterKind.BOARD, "held", -9),
    _Engagement(PresenterKind.SECRETARIAT, "held", -4, online=True),
    _Engagement(PresenterKind.SECRETARIAT, "confirmed", 8),
    _Engagement(PresenterKind.BOARD, "assigned", 15),
    _Engagement(PresenterKind.EITHER, "requested", 19),
]
PREVIOUS_ENGAGEMENTS = [
    _Engagement(PresenterKind.BOARD, "held", 2),
    _Engagement(PresenterKind.SECRETARIAT, "held", 6),
    _Engagement(PresenterKind.EITHER, "held", 11, online=True),
    _Engagement(PresenterKind.BOARD, "cancelled", 15),
]


def _speaker_requests(
    round_: Round,
    engagements: Iterable[_Engagement],
    rng: random.Random,
    as_of: datetime.datetime,
    today: datetime.date,
) -> int:
    """Requests from municipalities in each status, through the speaker services.

    Past engagements are played at their own time (`now=`), so the services'
    checks (future times, overlaps) hold as they did then.
    """
    board, secretariat = _presenters()
    contacts = contacts_by_municipality()
    municipalities = [m for m in Municipality.objects.order_by("code") if contacts.get(m.pk)]
    count = 0
    for engagement in engagements:
        municipality = rng.choice(municipalities)
        contact = contacts[municipality.pk][0]
        day = today + engagement.days * DAY
        slots = [
            (local(day + n * 2 * DAY, 17), local(day + n * 2 * DAY, 18, 30))
            for n in range(rng.randint(1, 3))
        ]
        asked = slots[0][0] - rng.randint(12, 20) * DAY
        topic, audience = corpus.speaker_topic(rng, year=round_.year)
        mark = outbox_mark()
        request = speaker_request_create(
            round=round_,
            municipality=municipality,
            presenter_kind=engagement.kind,
            meeting_format=MeetingFormat.ONLINE if engagement.online else MeetingFormat.IN_PERSON,
            topic=topic,
            audience=audience,
            address="" if engagement.online else f"Rådhuset, {municipality.name}",
            online_url=(
                f"https://teams.microsoft.com/l/meetup-join/demo-{municipality.slug}"
                if engagement.online
                else ""
            ),
            slots=slots,
            requested_by=contact,
            now=asked,
        )
        SpeakerRequest.objects.filter(pk=request.pk).update(created_at=asked)
        count += 1
        if engagement.status == "requested":
            continue
        people = board if engagement.kind == PresenterKind.BOARD else secretariat
        people = [p for p in people if p.municipality_id != municipality.pk] or people
        presenter = people[count % len(people)]
        assigned = asked + 2 * DAY
        request = speaker_assign(
            request=request, presenter=presenter, slot=request.slots.first(), now=assigned
        )
        if engagement.status == "cancelled":
            request = speaker_request_cancel(
                request=request, reason="Kommunalbestyrelsens møde blev aflyst."
            )
            mail_sent(mark, assigned + DAY)
            continue
        if engagement.status != "assigned":
            request = speaker_accept(request=request, presenter=presenter)
        if engagement.status == "held":
            held = request.ends_at + HOUR
            speaker_mark_held(
                request=request,
                presenter=presenter,
                notes=corpus.presenter_notes(municipality, rng, year=round_.year),
                now=held,
            )
        mail_sent(mark, min(assigned + DAY, as_of))
    return count


# --- The whole round ---------------------------------------------------------------------


def activity_load(
    *,
    round: Round,
    plan: Plan,
    engagements: Sequence[_Engagement],
    as_of: datetime.datetime,
    staff: User | None,
    seed: int = 0,
) -> ActivitySummary:
    """Play `round`'s history up to `as_of` (see the module docstring). Only for a round
    without registrations or council input yet: the caller checks `has_activity`."""
    summary = ActivitySummary(round=round.code)
    staff_name = staff.person.name if staff and staff.person else "KL"
    meeting = Meeting.objects.filter(round=round).select_related("round").first()
    members = _council_members()
    if meeting is not None and meeting.registration_opens_at < as_of:
        summary.invited = _invitations(meeting, members, as_of)
        registrations = _registrations(
            meeting, members, plan, _rng(seed, round, "registrations"), as_of
        )
        summary.registrations = sum(r.status == RegistrationStatus.CONFIRMED for r in registrations)
        summary.questions = sum(bool(r.question) for r in registrations)
        summary.attended = _attendance(
            meeting, registrations, members, plan, _rng(seed, round, "attendance"), as_of, staff
        )
    summary.inputs_submitted, summary.input_drafts = _council_inputs(
        round, plan, _rng(seed, round, "input"), as_of
    )
    summary.kkr_records = _kkr_records(round, plan, _rng(seed, round, "kkr"), as_of, staff)
    if plan.emails:
        summary.inbound = inbound_emails_load(
            round=round, rng=_rng(seed, round, "mail"), as_of=as_of, staff_name=staff_name
        )
    # The story's "today" for speaker requests: now in a running round, else the fortnight
    # after its large meetings' deadline, when councils hold their budget seminars.
    today = timezone.localdate(as_of)
    if meeting is not None:
        today = min(today, timezone.localdate(meeting.registration_deadline) + 14 * DAY)
    summary.speaker_requests = (
        _speaker_requests(round, engagements, _rng(seed, round, "speakers"), as_of, today)
        + SpeakerRequest.objects.filter(round=round, inbound_message__isnull=False).count()
    )
    return summary


def has_activity(round: Round) -> bool:
    """Whether the round already has registrations or council input (then it is left alone)."""
    return (
        Registration.objects.filter(meeting__round=round).exists()
        or CouncilInput.objects.filter(round=round).exists()
    )
