from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "samraad.councils"
    verbose_name = _("Council input")

    def ready(self) -> None:
        from samraad.councils import mails  # noqa: F401  (registers the mail kinds)
