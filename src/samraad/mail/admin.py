from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from samraad.mail.models import CaughtMessage, InboundMessage, MailTemplate, OutboxMessage
from samraad.mail.selectors import outbox_message_attachments


@admin.register(CaughtMessage)
class CaughtMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "mail_from", "subject"]
    exclude = ["raw"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "purpose", "to_email", "subject", "status", "attempts"]
    list_filter = ["status", "purpose"]
    search_fields = ["to_email", "subject", "dedupe_key", "message_id"]

    def get_readonly_fields(self, request, obj=None):
        # Delivery state belongs to the worker; the message is what it is.
        return [field.name for field in self.model._meta.fields] + ["attachments"]

    @admin.display(description=_("attachments"))
    def attachments(self, obj: OutboxMessage) -> str:
        return ", ".join(part.filename for part in outbox_message_attachments(obj))


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "language", "updated_at", "updated_by"]
    readonly_fields = ["key", "language", "subject", "body", "updated_at", "updated_by"]


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "from_email", "subject", "municipality", "triage_status"]
    list_filter = ["triage_status", "parse_status", "source"]
    search_fields = ["from_email", "subject", "message_id"]
    exclude = ["raw"]
    readonly_fields = ["received_at", "raw_sha256", "parse_status", "parse_error"]
