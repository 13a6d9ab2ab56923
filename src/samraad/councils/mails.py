"""The mail that council input sends."""

from django.utils.translation import gettext_lazy as _

from samraad.mail.templating import MailKind, register_mail_kind

_SIGNATURE_DA = "\n\nVenlig hilsen\n{association}"
_SIGNATURE_EN = "\n\nKind regards\n{association}"
_PLACEHOLDERS = {
    "name": _("the contact's name"),
    "municipality": _("the municipality"),
    "round": _("the round (for example ØA26)"),
    "deadline": _("the deadline for council input"),
    "contact": _("the round's contact person"),
}
_EXAMPLES = {
    "name": "Karen Prøvesen",
    "municipality": "Aarhus Kommune",
    "round": "ØA26",
    "deadline": "tirsdag den 22. april 2025 kl. 12.00",
    "page": "https://samraad.kl.dk/c/eksempel/",
    "contact": "Mette Prøvelund, mette.proevelund@kl.dk",
    "version": "2",
    "submitted_by": "Jens Hansen",
    "submitted_at": "10. april 2025 kl. 14.05",
}

register_mail_kind(
    MailKind(
        key="contact_invitation",
        label=_("Link for a municipal contact to the council input"),
        placeholders={**_PLACEHOLDERS, "page": _("the contact's personal page")},
        examples=_EXAMPLES,
        subject={
            "da": "{round}: kommunalbestyrelsens input fra {municipality}",
            "en": "{round}: the council's input from {municipality}",
        },
        body={
            "da": "Kære {name}\n\n{association} opfordrer kommunalbestyrelsen til at sende input "
            "om kommunens økonomiske situation og udfordringer til forberedelsen af {round}. "
            "Som kontaktperson for {municipality} kan du skrive og indsende inputtet via dit "
            "personlige link:\n{page}\n\nFristen er {deadline}. Flere kontaktpersoner i kommunen "
            "kan arbejde på det samme udkast.\n\nSpørgsmål kan rettes til {contact}."
            + _SIGNATURE_DA,
            "en": "Dear {name}\n\n{association} encourages the municipal council to send input "
            "on the municipality's economic situation and challenges for the preparation of "
            "{round}. As a contact of {municipality} you can write and submit the input "
            "through your personal link:\n{page}\n\nThe deadline is {deadline}. Several "
            "contacts of the municipality can work on the same draft.\n\nQuestions to "
            "{contact}." + _SIGNATURE_EN,
        },
    )
)
register_mail_kind(
    MailKind(
        key="council_input_receipt",
        label=_("Receipt for submitted council input"),
        placeholders={
            **_PLACEHOLDERS,
            "version": _("the number of the submitted version"),
            "submitted_by": _("who submitted it"),
            "submitted_at": _("when it was submitted"),
        },
        examples=_EXAMPLES,
        subject={
            "da": "Kvittering: input fra {municipality} til {round} (version {version})",
            "en": "Receipt: input from {municipality} for {round} (version {version})",
        },
        body={
            "da": "Kære {name}\n\n{association} har modtaget version {version} af "
            "inputtet fra {municipality} til {round}, indsendt af {submitted_by} "
            "{submitted_at}.\n\n"
            "I kan stadig rette inputtet og indsende en ny version via jeres personlige link. "
            "Spørgsmål kan rettes til {contact}." + _SIGNATURE_DA,
            "en": "Dear {name}\n\n{association} has received version {version} of "
            "the input from {municipality} for {round}, submitted by {submitted_by} "
            "{submitted_at}.\n\n"
            "You can still change the input and submit a new version through your personal "
            "link. Questions to {contact}." + _SIGNATURE_EN,
        },
    )
)
register_mail_kind(
    MailKind(
        key="council_input_reminder",
        label=_("Reminder to municipalities without council input"),
        placeholders={**_PLACEHOLDERS, "page": _("the contact's personal page")},
        examples=_EXAMPLES,
        subject={
            "da": "Påmindelse: input fra {municipality} til {round}",
            "en": "Reminder: input from {municipality} for {round}",
        },
        body={
            "da": "Kære {name}\n\nVi har endnu ikke modtaget input fra {municipality} til {round}. "
            "Fristen er {deadline}. Skriv og indsend inputtet via dit personlige link:\n{page}"
            + _SIGNATURE_DA,
            "en": "Dear {name}\n\nWe have not yet received input from {municipality} for {round}. "
            "The deadline is {deadline}. Write and submit the input through your personal "
            "link:\n{page}" + _SIGNATURE_EN,
        },
    )
)
