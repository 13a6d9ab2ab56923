"""The English and Danish labels of the report's sections, summary fields and columns."""

from __future__ import annotations

import re

from samraad.meetings.attendance.names import _NOT_WORD_RE

# --- Labels --------------------------------------------------------------------
# Labels are compared by `_label`: case-folded, with everything but letters and
# digits removed ("In-Meeting Duration" → "inmeetingduration").


def _label(text: str) -> str:
    return _NOT_WORD_RE.sub("", text.casefold())


def _aliases(table: dict[str, str]) -> dict[str, str]:
    """{"label": "field"} from {"field": "label label …"}."""
    return {alias: name for name, aliases in table.items() for alias in aliases.split()}


_SUMMARY_SECTION = "summary meetingsummary oversigt mødeoversigt resumé resume"
_SECTIONS = _aliases(
    {
        "summary": _SUMMARY_SECTION + " opsummering sammendrag mødesammendrag",
        "participants": "participants deltagere participantlist deltagerliste",
        "activities": "inmeetingactivities activities aktiviteter aktiviteterimødet "
        "aktiviteterundermødet mødeaktiviteter",
    }
)

_SUMMARY_FIELDS = _aliases(
    {
        "title": "meetingtitle title meetingname mødetitel mødetstitel titel mødenavn mødetsnavn",
        "attended": "attendedparticipants totalnumberofparticipants numberofparticipants "
        "participants deltagere antaldeltagere deltagendedeltagere fremmødtedeltagere "
        "samletantaldeltagere",
        "start": "starttime meetingstarttime start starttidspunkt starttid mødetsstarttidspunkt",
        "end": "endtime meetingendtime end sluttidspunkt sluttid mødetssluttidspunkt",
        # Recognised, not used: the figures are recomputed from the rows.
        "duration": "meetingduration duration mødevarighed mødetsvarighed varighed",
        "average": "averageattendancetime averageattendance gennemsnitligdeltagelsestid "
        "gennemsnitligfremmødetid gennemsnitligtilstedeværelse",
    }
)

_COLUMNS = _aliases(
    {
        # Only exact names: a person called "Morten Navnsen" is not a header.
        "name": "name fullname displayname participantname navn fuldenavn fuldtnavn "
        "visningsnavn deltagernavn deltager",
        "first_join": "firstjoin firstjointime førstedeltagelse førstetilslutning",
        "last_leave": "lastleave lastleavetime sidsteudtræden sidsteafgang",
        "join": "jointime joined join deltagelsestidspunkt tilslutningstidspunkt "
        "tidspunktfordeltagelse deltog tilsluttet",
        "leave": "leavetime left leave udtrædelsestidspunkt afgangstidspunkt "
        "tidspunktforudtræden forlod forladt",
        "duration": "inmeetingduration duration attendanceduration varighed varighedimødet "
        "tidimødet",
        "email": "email emailaddress mail emailadresse mailadresse",
        "upn": "participantidupn participantid upn userprincipalname deltageridupn",
        "role": "role rolle",
        "action": "useraction action brugerhandling handling",
        "timestamp": "timestamp tidsstempel tidspunkt time",
    }
)

# For columns whose Danish name we have not seen: keywords, tried in order.
_COLUMN_KEYWORDS = (
    ("upn", ("upn", "participantid", "deltagerid")),
    ("email", ("mail",)),
    ("first_join", ("first", "første", "først")),
    ("last_leave", ("last", "sidste", "sidst")),
    ("duration", ("duration", "varighed")),
    ("role", ("role", "rolle")),
    ("join", ("jointime", "tilslut", "deltagelsestid")),
    ("leave", ("leavetime", "udtræd", "afgang", "forlad")),
)

_ANONYMOUS = {"anonymous", "anonym", "anonymoususer", "anonymbruger", "anonymdeltager", "ukendt"}


def _column(cell: str) -> str | None:
    key = _label(cell)
    if not key:
        return None
    if key in _COLUMNS:
        return _COLUMNS[key]
    if "name" in key or "navn" in key:  # "First name" is not "First join"
        return None
    for column, keywords in _COLUMN_KEYWORDS:
        if any(word in key for word in keywords):
            return column
    return None


def _is_anonymous(name: str, email: str, upn: str) -> bool:
    if email or upn:
        return False
    return not name or re.sub(r"[0-9]+$", "", _label(name)) in _ANONYMOUS
