from django.contrib import admin

from samraad.audit.models import AuditEvent, RoundAnonymisation


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only: the admin shows events and never adds, changes or deletes one."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_label", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_label", "detail", "path"]
    date_hierarchy = "at"


@admin.register(RoundAnonymisation)
class RoundAnonymisationAdmin(ReadOnlyAdmin):
    list_display = ["round", "anonymised_at"]
