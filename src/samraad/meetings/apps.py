from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "samraad.meetings"
    verbose_name = _("Virtual large meetings")

    def ready(self) -> None:
        from samraad.meetings import mails  # noqa: F401  (registers the mail kinds)
