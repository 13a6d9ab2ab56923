"""Every change to speaker requests: request, assign, accept, decline, hold, cancel.

Assignment is where two staff can collide: both may pick the same presenter
for overlapping times at once. `speaker_assign` locks the request and then the
presenter's `Person` row (SELECT … FOR UPDATE on PostgreSQL; on SQLite the
immediate transaction already serialises writers) and checks for overlaps
inside that transaction, so exactly one of them wins and the other is told why.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from samraad.core.calendar import CalendarEvent, event_ics
from samraad.core.errors import ServiceError
from samraad.directory.models import Municipality, Person, RoleKind
from samraad.mail.delivery import envelope_sender
from samraad.mail.models import InboundMessage, TriageStatus
from samraad.mail.services import Attachment, mail_queue_template
from samraad.rounds.models import Round
from samraad.speakers.models import (
    BOOKED_STATUSES,
    MAX_SLOTS,
    MeetingFormat,
    PresenterKind,
    ProposedSlot,
    SpeakerRequest,
    SpeakerStatus,
)

Slot = tuple[datetime.datetime, datetime.datetime]

# Which directory roles may present for each kind of request.
KIND_ROLES: dict[str, frozenset[str]] = {
    PresenterKind.BOARD: frozenset({RoleKind.BOARD_MEMBER}),
    PresenterKind.SECRETARIAT: frozenset({RoleKind.SECRETARIAT}),
    PresenterKind.EITHER: frozenset({RoleKind.BOARD_MEMBER, RoleKind.SECRETARIAT}),
}


def time_label(start: datetime.datetime, end: datetime.datetime) -> str:
    """ "6. maj 2025 17.00–18.00" in Copenhagen time and the active language."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    return _("%(date)s %(start)s–%(end)s") % {
        "date": formats.date_format(start, "DATE_FORMAT"),
        "start": formats.time_format(start, "TIME_FORMAT"),
        "end": formats.time_format(end, "TIME_FORMAT"),
    }


def _check_slot(start: datetime.datetime, end: datetime.datetime, now: datetime.datetime) -> None:
    if end <= start:
        raise ServiceError(
            _("A proposed time must end after it starts (%(time)s).")
            % {"time": formats.date_format(timezone.localtime(start), "DATETIME_FORMAT")},
            code="slot_order",
        )
    if start <= now:
        raise ServiceError(
            _("A proposed time must be in the future: %(time)s has already passed.")
            % {"time": formats.date_format(timezone.localtime(start), "DATETIME_FORMAT")},
            code="slot_past",
        )


def _check_place(meeting_format: str, address: str, online_url: str) -> None:
    if meeting_format == MeetingFormat.IN_PERSON and not address.strip():
        raise ServiceError(_("Give the address of the meeting."), code="no_address")
    if meeting_format == MeetingFormat.ONLINE and not online_url.strip():
        raise ServiceError(_("Give the link to the online meeting."), code="no_link")


@transaction.atomic
def speaker_request_create(
    *,
    round: Round,
    municipality: Municipality,
    presenter_kind: str,
    meeting_format: str,
    topic: str,
    slots: Sequence[Slot],
    address: str = "",
    online_url: str = "",
    audience: str = "",
    note: str = "",
    requested_by: Person | None = None,
    inbound_message: InboundMessage | None = None,
    now: datetime.datetime | None = None,
) -> SpeakerRequest:
    """A new request in status "requested" with up to three proposed times, all in the future.

    A request made by a contact needs at least one time and a place; one made by staff
    from an incoming message may start without them (staff add times afterwards).
    """
    now = now or timezone.now()
    if presenter_kind not in PresenterKind.values:
        raise ServiceError(_("Choose who should give the presentation."), code="kind")
    if not topic.strip():
        raise ServiceError(_("Give the topic of the presentation."), code="no_topic")
    if len(slots) > MAX_SLOTS:
        raise ServiceError(
            _("Propose at most %(count)d times.") % {"count": MAX_SLOTS}, code="too_many_slots"
        )
    if inbound_message is None:
        if not slots:
            raise ServiceError(_("Propose at least one time."), code="no_slots")
        _check_place(meeting_format, address, online_url)
    for start, end in slots:
        _check_slot(start, end, now)
    request = SpeakerRequest.objects.create(
        round=round,
        municipality=municipality,
        requested_by=requested_by,
        inbound_message=inbound_message,
        presenter_kind=presenter_kind,
        meeting_format=meeting_format,
        address=address.strip(),
        online_url=online_url.strip(),
        topic=topic.strip()[:300],
        audience=audience.strip(),
        note=note,
    )
    ProposedSlot.objects.bulk_create(
        ProposedSlot(request=request, starts_at=start, ends_at=end) for start, end in slots
    )
    return request


@transaction.atomic
def speaker_slot_add(
    *,
    request: SpeakerRequest,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    now: datetime.datetime | None = None,
) -> ProposedSlot:
    """Add a proposed time (in the future) to an open request that has fewer than three."""
    request = SpeakerRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != SpeakerStatus.REQUESTED:
        raise ServiceError(
            _("Times can only be added while the request waits for a presenter."),
            code="not_open",
        )
    if request.slots.count() >= MAX_SLOTS:
        raise ServiceError(
            _("Propose at most %(count)d times.") % {"count": MAX_SLOTS}, code="too_many_slots"
        )
    _check_slot(starts_at, ends_at, now or timezone.now())
    return ProposedSlot.objects.create(request=request, starts_at=starts_at, ends_at=ends_at)


@transaction.atomic
def speaker_request_from_inbound(
    *, message: InboundMessage, municipality: Municipality | None = None
) -> SpeakerRequest:
    """Turn an emailed message into a speaker request for its (suggested) municipality.

    The topic is the subject, the text is kept as the request's note, and the message
    is marked as turned into a speaker request. A message is turned at most once.
    """
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    municipality = municipality or message.municipality
    if message.triage_status != TriageStatus.NEW:
        raise ServiceError(
            _("This message has already been handled (%(status)s).")
            % {"status": message.get_triage_status_display()},
            code="already_triaged",
        )
    if municipality is None:
        raise ServiceError(
            _("This message has no municipality. Choose one before turning it into a request."),
            code="no_municipality",
        )
    if message.round_id is None:
        raise ServiceError(
            _("This message belongs to no round, so it cannot become a speaker request."),
            code="no_round",
        )
    request = speaker_request_create(
        round=message.round,
        municipality=municipality,
        presenter_kind=PresenterKind.EITHER,
        meeting_format=MeetingFormat.IN_PERSON,
        topic=message.subject.strip() or _("(no subject)"),
        note=message.body_text,
        inbound_message=message,
        slots=[],
    )
    message.triage_status = TriageStatus.SPEAKER_REQUEST
    message.save(update_fields=["triage_status"])
    return request


def presenter_candidates(kind: str):
    """People who may present for a request of `kind` (board, secretariat or either)."""
    return Person.objects.filter(roles__kind__in=KIND_ROLES[kind]).distinct().order_by("name")


def _conflict(
    *, presenter: Person, start: datetime.datetime, end: datetime.datetime, exclude: int
) -> SpeakerRequest | None:
    buffer = datetime.timedelta(minutes=settings.SPEAKER_TRAVEL_BUFFER_MINUTES)
    return (
        SpeakerRequest.objects.filter(
            presenter=presenter,
            status__in=BOOKED_STATUSES,
            starts_at__lt=end + buffer,
            ends_at__gt=start - buffer,
        )
        .exclude(pk=exclude)
        .select_related("municipality")
        .order_by("starts_at")
        .first()
    )


def speaker_assign(
    *,
    request: SpeakerRequest,
    presenter: Person,
    slot: ProposedSlot,
    now: datetime.datetime | None = None,
) -> SpeakerRequest:
    """Assign `presenter` for one of the request's proposed times, and tell them.

    Refused when the request is not waiting for a presenter, the person lacks the
    role asked for, the time has passed, or the presenter has another assigned or
    confirmed engagement within SPEAKER_TRAVEL_BUFFER_MINUTES of it. Safe under
    concurrency: of two assignments that would overlap, exactly one succeeds.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock order everywhere: the request, then the presenter.
        request = (
            SpeakerRequest.objects.select_for_update(of=("self",))
            .select_related("round", "municipality")
            .get(pk=request.pk)
        )
        presenter = Person.objects.select_for_update().get(pk=presenter.pk)
        if request.status != SpeakerStatus.REQUESTED:
            raise ServiceError(
                _(
                    "This request is %(status)s; only a request waiting for a presenter "
                    "can be assigned."
                )
                % {"status": request.get_status_display().lower()},
                code="not_open",
            )
        if slot.request_id != request.pk:
            raise ServiceError(_("Choose one of the times the municipality proposed."), code="slot")
        held = set(presenter.roles.values_list("kind", flat=True))
        if not held & KIND_ROLES[request.presenter_kind]:
            raise ServiceError(
                _("%(presenter)s cannot be assigned: the municipality asked for %(kind)s.")
                % {
                    "presenter": presenter.name,
                    "kind": request.get_presenter_kind_display(),
                },
                code="kind_mismatch",
            )
        if slot.starts_at <= now:
            raise ServiceError(_("That time has already passed."), code="slot_past")
        clash = _conflict(
            presenter=presenter, start=slot.starts_at, end=slot.ends_at, exclude=request.pk
        )
        if clash is not None:
            raise ServiceError(
                _(
                    "%(presenter)s is already booked in %(municipality)s %(time)s. "
                    "Engagements must be at least %(minutes)d minutes apart for travel."
                )
                % {
                    "presenter": presenter.name,
                    "municipality": clash.municipality.name,
                    "time": time_label(clash.starts_at, clash.ends_at),
                    "minutes": settings.SPEAKER_TRAVEL_BUFFER_MINUTES,
                },
                code="overlap",
            )
        request.presenter = presenter
        request.starts_at, request.ends_at = slot.starts_at, slot.ends_at
        request.status = SpeakerStatus.ASSIGNED
        request.decline_reason = ""
        request.sequence += 1
        request.save()
        _notify(request, "speaker_assigned", [presenter])
    return request


def _locked_engagement(request: SpeakerRequest, presenter: Person) -> SpeakerRequest:
    request = (
        SpeakerRequest.objects.select_for_update(of=("self",))
        .select_related("round", "municipality", "presenter")
        .get(pk=request.pk)
    )
    if request.presenter_id != presenter.pk:
        raise ServiceError(_("This engagement is not yours."), code="not_presenter")
    return request


@transaction.atomic
def speaker_accept(*, request: SpeakerRequest, presenter: Person) -> SpeakerRequest:
    """The presenter accepts: confirmed, with a calendar entry to them and every contact."""
    request = _locked_engagement(request, presenter)
    if request.status != SpeakerStatus.ASSIGNED:
        raise ServiceError(_("Only an engagement waiting for your answer can be accepted."))
    request.status = SpeakerStatus.CONFIRMED
    request.sequence += 1
    request.save()
    _notify(request, "speaker_confirmed", [presenter, *_contacts(request)])
    return request


@transaction.atomic
def speaker_decline(*, request: SpeakerRequest, presenter: Person, reason: str) -> SpeakerRequest:
    """The presenter declines: the request waits for a presenter again, with the reason.

    The presenter's calendar entry is cancelled, and the contacts' too if they had one.
    """
    if not reason.strip():
        raise ServiceError(_("Give a reason for declining."), code="no_reason")
    request = _locked_engagement(request, presenter)
    if request.status not in BOOKED_STATUSES:
        raise ServiceError(_("Only an engagement not yet held can be declined."))
    told = [presenter, *(_contacts(request) if request.status == SpeakerStatus.CONFIRMED else [])]
    request.sequence += 1
    _notify(request, "speaker_cancelled", told, cancelled=True)
    request.status = SpeakerStatus.REQUESTED
    request.presenter = None
    request.starts_at = request.ends_at = None
    request.decline_reason = reason.strip()
    request.save()
    return request


@transaction.atomic
def speaker_mark_held(
    *,
    request: SpeakerRequest,
    presenter: Person,
    notes: str,
    now: datetime.datetime | None = None,
) -> SpeakerRequest:
    """After the meeting the presenter marks it held and writes notes (editable later).

    The notes become part of the municipality's input for the round: see
    `selectors.presenter_notes_for`.
    """
    now = now or timezone.now()
    request = _locked_engagement(request, presenter)
    if request.status not in (SpeakerStatus.CONFIRMED, SpeakerStatus.HELD):
        raise ServiceError(_("Only a confirmed engagement can be marked as held."))
    if request.starts_at > now:
        raise ServiceError(_("The meeting has not started yet."), code="not_yet")
    request.status = SpeakerStatus.HELD
    request.presenter_notes = notes.strip()
    request.held_at = request.held_at or now
    request.save()
    return request


@transaction.atomic
def speaker_request_cancel(*, request: SpeakerRequest, reason: str = "") -> SpeakerRequest:
    """Staff cancel a request; whoever has it in their calendar gets a cancellation."""
    request = (
        SpeakerRequest.objects.select_for_update(of=("self",))
        .select_related("round", "municipality", "presenter")
        .get(pk=request.pk)
    )
    if request.status in (SpeakerStatus.HELD, SpeakerStatus.CANCELLED):
        raise ServiceError(
            _("This request is %(status)s and cannot be cancelled.")
            % {"status": request.get_status_display().lower()},
            code="closed",
        )
    request.sequence += 1
    if request.status in BOOKED_STATUSES:
        told = [request.presenter]
        if request.status == SpeakerStatus.CONFIRMED:
            told += _contacts(request)
        _notify(request, "speaker_cancelled", told, cancelled=True)
    request.status = SpeakerStatus.CANCELLED
    request.cancel_reason = reason.strip()
    request.save()
    return request


# --- Mail and calendar --------------------------------------------------------


def _contacts(request: SpeakerRequest) -> list[Person]:
    return list(
        Person.objects.filter(
            municipality_id=request.municipality_id, roles__kind=RoleKind.MUNICIPAL_CONTACT
        )
        .distinct()
        .order_by("pk")
    )


def engagement_ics(request: SpeakerRequest, *, cancelled: bool = False) -> bytes:
    """The engagement's calendar file: one UID per request, its current SEQUENCE."""
    contact = request.round.contact
    presenter = request.presenter
    return event_ics(
        CalendarEvent(
            uid=request.ics_uid,
            sequence=request.sequence,
            summary=_("Presentation in %(municipality)s: %(topic)s")
            % {"municipality": request.municipality.name, "topic": request.topic},
            start=request.starts_at,
            end=request.ends_at,
            description=request.audience,
            location=request.location,
            url=request.online_url if request.meeting_format == MeetingFormat.ONLINE else "",
            organizer_email=contact.email if contact else envelope_sender(),
            organizer_name=contact.name if contact else settings.ASSOCIATION_NAME,
            attendee_email=presenter.email if presenter else "",
            attendee_name=presenter.name if presenter else "",
            cancelled=cancelled,
        )
    )


def presenter_page_url(request: SpeakerRequest) -> str:
    return settings.BASE_URL + reverse("speakers:engagement", args=[request.pk])


def _notify(
    request: SpeakerRequest, key: str, recipients: list[Person], *, cancelled: bool = False
) -> None:
    """Queue mail `key` with the calendar file to each recipient, once per version."""
    with override("da"):
        attachment = Attachment(
            filename="invite.ics",
            content_type="text/calendar",
            content=engagement_ics(request, cancelled=cancelled),
        )
        values = {
            "municipality": request.municipality.name,
            "topic": request.topic,
            "presenter": request.presenter.name if request.presenter else "",
            "time": time_label(request.starts_at, request.ends_at),
            "place": request.location,
            "page": presenter_page_url(request),
        }
        for person in recipients:
            mail_queue_template(
                key=key,
                to_email=person.email,
                to_name=person.name,
                person=person,
                values={**values, "name": person.name},
                about=f"speaker-request:{request.pk}:{request.sequence}",
                attachments=[attachment],
            )
