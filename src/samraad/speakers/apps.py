from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpeakersConfig(AppConfig):
    name = "samraad.speakers"
    verbose_name = _("Speaker requests")

    def ready(self) -> None:
        from samraad.speakers import mails  # noqa: F401  (registers the mail kinds)
