"""The mail the virtual large meetings send."""

from django.utils.translation import gettext_lazy as _

from samraad.mail.templating import MailKind, register_mail_kind

_SESSION = {
    "name": _("the member's name"),
    "meeting": _("the meeting's title"),
    "session": _("the session's date and time"),
    "page": _("the member's personal page"),
}
_EXAMPLES = {
    "name": "Karen Prøvesen",
    "meeting": "Virtuelt stormøde om ØA26",
    "session": "mandag den 31. marts 2025 kl. 19.00–20.30",
    "page": "https://samraad.kl.dk/m/eksempel/",
    "deadline": "onsdag den 26. marts 2025 kl. 23.59",
    "join_url": "https://teams.microsoft.com/l/meetup-join/eksempel",
}
_SIGNATURE_DA = "\n\nVenlig hilsen\n{association}"
_SIGNATURE_EN = "\n\nKind regards\n{association}"

register_mail_kind(
    MailKind(
        key="registration_confirmed",
        label=_("Registration confirmed"),
        placeholders={**_SESSION, "deadline": _("the registration deadline")},
        examples=_EXAMPLES,
        subject={"da": "Du er tilmeldt: {meeting}", "en": "You are registered: {meeting}"},
        body={
            "da": "Kære {name}\n\nDu er tilmeldt {meeting} {session}. Kalenderfilen er "
            "vedhæftet.\n\nLinket til mødet sender vi efter tilmeldingsfristen {deadline}. "
            "Indtil da kan du skifte møde eller melde fra her:\n{page}" + _SIGNATURE_DA,
            "en": "Dear {name}\n\nYou are registered for {meeting} {session}. The calendar file "
            "is attached.\n\nWe send the link to join after the registration deadline, "
            "{deadline}. Until then you can change session or cancel here:\n{page}" + _SIGNATURE_EN,
        },
    )
)
register_mail_kind(
    MailKind(
        key="registration_waitlisted",
        label=_("On the waitlist"),
        placeholders=_SESSION,
        examples=_EXAMPLES,
        subject={
            "da": "Du er på venteliste: {meeting}",
            "en": "You are on the waitlist: {meeting}",
        },
        body={
            "da": "Kære {name}\n\nMødet {session} er fuldt, og du står på ventelisten. Får du "
            "en plads, skriver vi til dig. Du kan også vælge et andet møde her:\n{page}"
            + _SIGNATURE_DA,
            "en": "Dear {name}\n\nThe session {session} is full and you are on the waitlist. "
            "If a seat becomes free, we will write to you. You can also choose another session "
            "here:\n{page}" + _SIGNATURE_EN,
        },
    )
)
register_mail_kind(
    MailKind(
        key="waitlist_promoted",
        label=_("A seat from the waitlist"),
        placeholders=_SESSION,
        examples=_EXAMPLES,
        subject={"da": "Du har fået en plads: {meeting}", "en": "You have a seat: {meeting}"},
        body={
            "da": "Kære {name}\n\nEn plads er blevet ledig, og du er nu tilmeldt {meeting} "
            "{session}. Kalenderfilen er vedhæftet.\n\nSe eller ændr din tilmelding her:\n{page}"
            + _SIGNATURE_DA,
            "en": "Dear {name}\n\nA seat has become free and you are now registered for "
            "{meeting} {session}. The calendar file is attached.\n\nSee or change your "
            "registration here:\n{page}" + _SIGNATURE_EN,
        },
    )
)
register_mail_kind(
    MailKind(
        key="registration_cancelled",
        label=_("Registration cancelled"),
        placeholders=_SESSION,
        examples=_EXAMPLES,
        subject={"da": "Afmeldt: {meeting}", "en": "Cancelled: {meeting}"},
        body={
            "da": "Kære {name}\n\nDu er afmeldt {meeting} {session}. Kalenderaftalen fjernes "
            "med den vedhæftede fil.\n\nFortryder du, kan du tilmelde dig igen her:\n{page}"
            + _SIGNATURE_DA,
            "en": "Dear {name}\n\nYou have cancelled {meeting} {session}. The attached file "
            "removes the calendar entry.\n\nIf you change your mind, register again here:\n"
            "{page}" + _SIGNATURE_EN,
        },
    )
)
register_mail_kind(
    MailKind(
        key="join_link",
        label=_("The link to join"),
        placeholders={**_SESSION, "join_url": _("the link to join the session")},
        examples=_EXAMPLES,
        subject={"da": "Link til {meeting}", "en": "Link to join {meeting}"},
        body={
            "da": "Kære {name}\n\nHer er dit link til {meeting} {session}:\n{join_url}\n\n"
            "Den vedhæftede kalenderfil opdaterer din aftale med linket. Linket er personligt "
            "for de tilmeldte til dette møde; del det venligst ikke.\n\nDin tilmelding: {page}"
            + _SIGNATURE_DA,
            "en": "Dear {name}\n\nHere is your link to {meeting} {session}:\n{join_url}\n\n"
            "The attached calendar file updates your entry with the link. The link is for "
            "those registered for this session; please do not share it.\n\nYour registration: "
            "{page}" + _SIGNATURE_EN,
        },
    )
)

_INVITATION = {
    "name": _("the member's name"),
    "meeting": _("the meeting's title"),
    "sessions": _("the sessions, one per line"),
    "deadline": _("the registration deadline"),
    "page": _("the member's personal page"),
    "contact": _("the round's contact person"),
}
_INVITATION_EXAMPLES = {
    **_EXAMPLES,
    "sessions": "- mandag den 31. marts 2025 kl. 19.00–20.30\n"
    "- torsdag den 3. april 2025 kl. 19.00–20.30",
    "contact": "Mette Prøvelund, mette.proevelund@kl.dk",
}

register_mail_kind(
    MailKind(
        key="invitation",
        label=_("Invitation to the virtual large meeting"),
        placeholders=_INVITATION,
        examples=_INVITATION_EXAMPLES,
        subject={
            "da": "Invitation: {meeting}",
            "en": "Invitation: {meeting}",
        },
        body={
            "da": "Kære {name}\n\n{association} inviterer alle kommunalbestyrelsesmedlemmer til "
            "{meeting}. Mødet holdes to gange på Microsoft Teams, så så mange som muligt kan "
            "deltage:\n{sessions}\n\nTilmeld dig ét af møderne senest {deadline} via dit "
            "personlige link:\n{page}\n\nLinket til selve mødet sender vi til alle tilmeldte "
            "efter fristen.\n\nSpørgsmål kan rettes til {contact}." + _SIGNATURE_DA,
            "en": "Dear {name}\n\n{association} invites all municipal council members to "
            "{meeting}. The meeting is held twice on Microsoft Teams so that as many as "
            "possible can take part:\n{sessions}\n\nRegister for one of them by {deadline} "
            "through your personal link:\n{page}\n\nWe send the link to join to everyone "
            "registered after the deadline.\n\nQuestions to {contact}." + _SIGNATURE_EN,
        },
    )
)
register_mail_kind(
    MailKind(
        key="invitation_reminder",
        label=_("Reminder to those not registered"),
        placeholders=_INVITATION,
        examples=_INVITATION_EXAMPLES,
        subject={"da": "Påmindelse: {meeting}", "en": "Reminder: {meeting}"},
        body={
            "da": "Kære {name}\n\nVi har endnu ikke set din tilmelding til {meeting}:\n"
            "{sessions}\n\nFristen er {deadline}. Tilmeld dig via dit personlige link:\n{page}"
            + _SIGNATURE_DA,
            "en": "Dear {name}\n\nWe have not yet seen your registration for {meeting}:\n"
            "{sessions}\n\nThe deadline is {deadline}. Register through your personal link:\n"
            "{page}" + _SIGNATURE_EN,
        },
    )
)
register_mail_kind(
    MailKind(
        key="member_link",
        label=_("A new personal link, on request"),
        placeholders={
            "name": _("the member's name"),
            "meeting": _("the meeting's title"),
            "page": _("the member's personal page"),
        },
        examples=_EXAMPLES,
        subject={"da": "Dit link: {meeting}", "en": "Your link: {meeting}"},
        body={
            "da": "Kære {name}\n\nHer er dit personlige link til {meeting}:\n{page}\n\n"
            "Har du ikke bedt om linket, kan du se bort fra denne mail." + _SIGNATURE_DA,
            "en": "Dear {name}\n\nHere is your personal link to {meeting}:\n{page}\n\n"
            "If you did not ask for it, you can ignore this mail." + _SIGNATURE_EN,
        },
    )
)
register_mail_kind(
    MailKind(
        key="meeting_day_reminder",
        label=_("Reminder on the day"),
        placeholders={**_SESSION, "join_url": _("the link to join the session")},
        examples=_EXAMPLES,
        subject={"da": "I dag: {meeting}", "en": "Today: {meeting}"},
        body={
            "da": "Kære {name}\n\nPå gensyn i dag {session}. Her er linket til mødet:\n"
            "{join_url}" + _SIGNATURE_DA,
            "en": "Dear {name}\n\nSee you today, {session}. Here is the link to join:\n"
            "{join_url}" + _SIGNATURE_EN,
        },
    )
)
