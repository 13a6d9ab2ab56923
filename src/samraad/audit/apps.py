from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "samraad.audit"
    verbose_name = _("Audit log and privacy")

    def ready(self) -> None:
        # Declares which models and fields are audited and connects the model,
        # login and export signals (see samraad/audit/declarations.py).
        from samraad.audit import declarations, receivers  # noqa: F401
