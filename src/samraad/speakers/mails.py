"""The mail speaker requests send: to the presenter and to the municipality's contacts."""

from django.utils.translation import gettext_lazy as _

from samraad.mail.templating import MailKind, register_mail_kind

_ENGAGEMENT = {
    "name": _("the recipient's name"),
    "municipality": _("the municipality"),
    "topic": _("the presentation's topic"),
    "presenter": _("the presenter's name"),
    "time": _("the date and time"),
    "place": _("the address or the link to the online meeting"),
    "page": _("the page where the presenter answers"),
}
_EXAMPLES = {
    "name": "Karen Prøvesen",
    "municipality": "Aarhus Kommune",
    "topic": "ØA26 og kommunens økonomi",
    "presenter": "Mette Prøvelund",
    "time": "tirsdag den 6. maj 2025 kl. 17.00–18.00",
    "place": "Rådhuset, Rådhuspladsen 2, 8000 Aarhus C",
    "page": "https://samraad.kl.dk/speakers/mine/",
}
_SIGNATURE_DA = "\n\nVenlig hilsen\n{association}"
_SIGNATURE_EN = "\n\nKind regards\n{association}"

register_mail_kind(
    MailKind(
        key="speaker_assigned",
        label=_("Speaker request: assigned to a presenter"),
        placeholders=_ENGAGEMENT,
        examples=_EXAMPLES,
        subject={
            "da": "Oplæg i {municipality}: {topic}",
            "en": "Presentation in {municipality}: {topic}",
        },
        body={
            "da": "Kære {name}\n\nDu er sat på som oplægsholder i {municipality} om "
            '"{topic}" {time}, {place}. Kalenderfilen er vedhæftet.\n\n'
            "Sig ja eller nej her:\n{page}" + _SIGNATURE_DA,
            "en": "Dear {name}\n\nYou have been assigned as presenter in {municipality} on "
            '"{topic}", {time}, {place}. The calendar file is attached.\n\n'
            "Accept or decline here:\n{page}" + _SIGNATURE_EN,
        },
    )
)
register_mail_kind(
    MailKind(
        key="speaker_confirmed",
        label=_("Speaker request: presenter confirmed"),
        placeholders=_ENGAGEMENT,
        examples=_EXAMPLES,
        subject={
            "da": "Bekræftet: oplæg i {municipality} {time}",
            "en": "Confirmed: presentation in {municipality} {time}",
        },
        body={
            "da": 'Kære {name}\n\n{presenter} holder oplæg i {municipality} om "{topic}" '
            "{time}, {place}. Kalenderfilen er vedhæftet." + _SIGNATURE_DA,
            "en": "Dear {name}\n\n{presenter} will give a presentation in {municipality} on "
            '"{topic}", {time}, {place}. The calendar file is attached.' + _SIGNATURE_EN,
        },
    )
)
register_mail_kind(
    MailKind(
        key="speaker_cancelled",
        label=_("Speaker request: engagement cancelled"),
        placeholders=_ENGAGEMENT,
        examples=_EXAMPLES,
        subject={
            "da": "Aflyst: oplæg i {municipality} {time}",
            "en": "Cancelled: presentation in {municipality} {time}",
        },
        body={
            "da": 'Kære {name}\n\nOplægget i {municipality} om "{topic}" {time} med '
            "{presenter} er aflyst. Den vedhæftede fil fjerner kalenderaftalen." + _SIGNATURE_DA,
            "en": 'Dear {name}\n\nThe presentation in {municipality} on "{topic}", {time}, '
            "with {presenter} is cancelled. The attached file removes the calendar entry."
            + _SIGNATURE_EN,
        },
    )
)
