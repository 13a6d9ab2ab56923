from django.contrib import admin

from samraad.meetings.models import Meeting, Session
from samraad.regional.models import KkrMeeting
from samraad.rounds.models import Round, Theme


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0


class KkrMeetingInline(admin.TabularInline):
    model = KkrMeeting
    extra = 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["code", "year", "starts_on", "ends_on", "is_published"]
    prepopulated_fields = {"slug": ["code"]}
    raw_id_fields = ["contact"]
    readonly_fields = ["copied_from"]
    inlines = [ThemeInline, KkrMeetingInline]


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "round", "registration_deadline"]
    inlines = [SessionInline]
