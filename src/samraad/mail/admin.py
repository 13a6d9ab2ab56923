from django.contrib import admin

from samraad.mail.models import CaughtMessage


@admin.register(CaughtMessage)
class CaughtMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "mail_from", "subject"]
    exclude = ["raw"]
