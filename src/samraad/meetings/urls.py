from django.urls import path

import samraad.meetings.attendance_views as attendance_views
from samraad.meetings import staff_views, views
from samraad.meetings.letter import staff_letter

app_name = "meetings"
urlpatterns = [
    path("m/<str:token>/", views.member_page, name="member"),
    path("link/", views.link_request, name="link_request"),
    path("staff/rounds/<slug:slug>/meeting/", staff_views.overview, name="staff_overview"),
    path("staff/rounds/<slug:slug>/meeting/invite/", staff_views.invite, name="staff_invite"),
    path(
        "staff/rounds/<slug:slug>/meeting/settings/",
        staff_views.meeting_settings,
        name="staff_meeting_settings",
    ),
    path(
        "staff/rounds/<slug:slug>/meeting/people/<int:person_pk>/revoke/",
        staff_views.revoke_links,
        name="staff_revoke_links",
    ),
    path(
        "staff/rounds/<slug:slug>/meeting/reminders/",
        staff_views.reminders,
        name="staff_reminders",
    ),
    path(
        "staff/rounds/<slug:slug>/meeting/sessions/<int:pk>/",
        staff_views.session_edit,
        name="staff_session",
    ),
    path("staff/rounds/<slug:slug>/meeting/people/", staff_views.people, name="staff_people"),
    path("staff/rounds/<slug:slug>/meeting/letter.pdf", staff_letter, name="staff_letter"),
    path(
        "staff/rounds/<slug:slug>/meeting/export.<slug:fmt>",
        staff_views.export,
        name="staff_export",
    ),
    path(
        "staff/rounds/<slug:slug>/meeting/attendance/",
        attendance_views.attendance,
        name="staff_attendance",
    ),
    path(
        "staff/rounds/<slug:slug>/meeting/attendance/sessions/<int:pk>/upload/",
        attendance_views.upload,
        name="staff_attendance_upload",
    ),
    path(
        "staff/rounds/<slug:slug>/meeting/attendance/imports/<int:pk>/",
        attendance_views.import_detail,
        name="staff_attendance_import",
    ),
    path(
        "staff/rounds/<slug:slug>/meeting/attendance/rows/<int:pk>/match/",
        attendance_views.match,
        name="staff_attendance_match",
    ),
    path(
        "staff/rounds/<slug:slug>/meeting/attendance/rows/<int:pk>/dismiss/",
        attendance_views.dismiss,
        name="staff_attendance_dismiss",
    ),
    path(
        "staff/rounds/<slug:slug>/meeting/attendance/<slug:kind>.<slug:fmt>",
        attendance_views.export,
        name="staff_attendance_export",
    ),
]
