"""The mail kinds the mail app itself sends."""

from django.utils.translation import gettext_lazy as _

from samraad.mail.templating import MailKind, register_mail_kind

TEST = register_mail_kind(
    MailKind(
        key="test",
        label=_("Test mail from the back office"),
        placeholders={"name": _("the recipient's name")},
        examples={"name": "Karen Prøvesen"},
        subject={"da": "Testmail fra Samråd", "en": "Test mail from Samråd"},
        body={
            "da": "Kære {name}\n\nDette er en testmail fra Samråd hos {association}. "
            "Når du kan læse den, når mail frem.\n\nVenlig hilsen\n{association}",
            "en": "Dear {name}\n\nThis is a test mail from Samråd at {association}. "
            "If you can read it, mail gets through.\n\nKind regards\n{association}",
        },
    )
)

INBOUND_RECEIPT = register_mail_kind(
    MailKind(
        key="inbound_receipt",
        label=_("Receipt for mail to a round's input address"),
        placeholders={
            "name": _("the sender's name or address"),
            "subject": _("the subject of the sender's mail"),
            "round": _("the round, e.g. ØA26"),
            "received": _("when the mail arrived"),
        },
        examples={
            "name": "Lars Eksempelsen",
            "subject": "Input fra Aarhus Kommune til ØA26",
            "round": "ØA26",
            "received": "mandag den 7. april 2025 kl. 10.12",
        },
        subject={"da": "Modtaget: {subject}", "en": "Received: {subject}"},
        body={
            "da": "Kære {name}\n\nTak for din mail «{subject}», som {association} modtog "
            "{received}. Den indgår i arbejdet med {round}, og vi vender tilbage, hvis vi har "
            "spørgsmål.\n\nDette er en automatisk kvittering; du behøver ikke svare.\n\n"
            "Venlig hilsen\n{association}",
            "en": "Dear {name}\n\nThank you for your mail “{subject}”, which {association} "
            "received {received}. It is part of the work on {round}, and we will be in touch "
            "if we have questions.\n\nThis is an automatic receipt; there is no need to "
            "reply.\n\nKind regards\n{association}",
        },
    )
)
