"""The audit log's listeners: logins and logouts (Django's auth signals) and exports."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from samraad.audit.models import AuditAction
from samraad.audit.services import audit_event_record, audit_export_record
from samraad.core.exports import export_served


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    audit_event_record(action=AuditAction.LOGIN, actor=user, target=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_event_record(action=AuditAction.LOGOUT, actor=user, target=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already replaced the password in `credentials` with stars.
    username = str(credentials.get("username") or "")
    user_model = get_user_model()
    known = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    audit_event_record(
        action=AuditAction.LOGIN_FAILED,
        actor=None,
        label=username,
        target=known,
        request=request,
        detail="" if known else "unknown user",
    )


@receiver(export_served, dispatch_uid="audit_export")
def _export_served(sender, filename: str, content_type: str = "", rows=None, **kwargs) -> None:
    audit_export_record(filename=filename, content_type=content_type, rows=rows)
