"""Every change to rounds goes through these functions."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from samraad.core.errors import ServiceError
from samraad.core.timeutils import shift_weeks
from samraad.directory.models import Region
from samraad.meetings.models import Meeting, Session
from samraad.regional.models import KkrMeeting
from samraad.rounds.models import DEFAULT_THEMES, TEXT_FIELDS, Round, Theme

# A round is copied 52 weeks on, not a calendar year: meetings stay on the same
# weekday (a Monday evening session stays a Monday evening session).
WEEKS_PER_YEAR = 52


def next_code(code: str) -> str:
    """The code of the following round: the trailing number raised by one (ØA26 → ØA27)."""
    match = re.search(r"(\d+)(\D*)$", code)
    if match is None:
        raise ServiceError(
            _("The code %(code)s has no number to count up; copy the round in the admin.")
            % {"code": code}
        )
    number = str(int(match.group(1)) + 1).zfill(len(match.group(1)))
    return code[: match.start(1)] + number + match.group(2)


@transaction.atomic
def round_copy(*, source: Round, weeks: int = WEEKS_PER_YEAR) -> Round:
    """Create next year's round from `source`: unpublished, dates moved by `weeks` weeks.

    Texts, contact, the meeting and its sessions (without join links) are
    copied; the KKR meetings only for the regions valid on the new round's
    start date. People stay in the directory; registrations and input belong
    to `source` and are not copied.
    """
    code, slug = next_code(source.code), next_code(source.slug)
    if Round.objects.filter(code=code).exists() or Round.objects.filter(slug=slug).exists():
        raise ServiceError(_("The round %(code)s already exists.") % {"code": code})
    texts = {}
    for name in TEXT_FIELDS:
        for field in (name, f"{name}_en"):
            texts[field] = getattr(source, field).replace(source.code, code)
    new = Round.objects.create(
        code=code,
        slug=slug,
        year=source.year + 1,
        **texts,
        starts_on=shift_weeks(source.starts_on, weeks),
        ends_on=shift_weeks(source.ends_on, weeks),
        negotiations_start=shift_weeks(source.negotiations_start, weeks),
        input_deadline=shift_weeks(source.input_deadline, weeks),
        retention_date=shift_weeks(source.retention_date, weeks),
        input_address=source.input_address,
        contact=source.contact,
        is_published=False,
        copied_from=source,
    )
    meeting = Meeting.objects.filter(round=source).first()
    if meeting is not None:
        new_meeting = Meeting.objects.create(
            round=new,
            title=meeting.title.replace(source.code, code),
            registration_opens_at=shift_weeks(meeting.registration_opens_at, weeks),
            registration_deadline=shift_weeks(meeting.registration_deadline, weeks),
            link_release_at=shift_weeks(meeting.link_release_at, weeks),
            late_registration=meeting.late_registration,
        )
        Session.objects.bulk_create(
            Session(
                meeting=new_meeting,
                starts_at=shift_weeks(session.starts_at, weeks),
                ends_at=shift_weeks(session.ends_at, weeks),
                format=session.format,
                capacity=session.capacity,
            )
            for session in meeting.sessions.all()
        )
    Theme.objects.bulk_create(
        Theme(round=new, key=t.key, name=t.name, name_en=t.name_en, position=t.position)
        for t in source.themes.all()
    )
    valid_regions = set(Region.objects.valid_on(new.starts_on).values_list("pk", flat=True))
    KkrMeeting.objects.bulk_create(
        KkrMeeting(
            round=new,
            region_id=kkr.region_id,
            starts_at=shift_weeks(kkr.starts_at, weeks),
            place=kkr.place,
            agenda_item=kkr.agenda_item.replace(source.code, code),
        )
        for kkr in source.kkr_meetings.all()
        if kkr.region_id in valid_regions
    )
    return new


def round_themes_ensure(*, round: Round) -> None:
    """Give `round` the default theme list (service areas) if it has no themes yet."""
    if round.themes.exists():
        return
    Theme.objects.bulk_create(
        Theme(round=round, key=key, name=name, name_en=name_en, position=position)
        for position, (key, name, name_en) in enumerate(DEFAULT_THEMES)
    )
