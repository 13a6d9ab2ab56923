from django.urls import path

from samraad.meetings import staff_views, views

app_name = "meetings"
urlpatterns = [
    path("m/<str:token>/", views.member_page, name="member"),
    path("link/", views.link_request, name="link_request"),
    path("staff/rounds/<slug:slug>/meeting/", staff_views.overview, name="staff_overview"),
    path("staff/rounds/<slug:slug>/meeting/invite/", staff_views.invite, name="staff_invite"),
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
    path(
        "staff/rounds/<slug:slug>/meeting/export.<slug:fmt>",
        staff_views.export,
        name="staff_export",
    ),
]
