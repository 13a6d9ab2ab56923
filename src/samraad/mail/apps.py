from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "samraad.mail"
    verbose_name = _("Mail")

    def ready(self) -> None:
        from samraad.mail import mails  # noqa: F401  (registers the mail kinds)
