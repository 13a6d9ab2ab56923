from django.urls import path

from samraad.councils import staff_views, views

app_name = "councils"
urlpatterns = [
    path("c/<str:token>/", views.contact_page, name="contact"),
    path(
        "c/<str:token>/attachments/<int:pk>/",
        views.contact_attachment,
        name="contact_attachment",
    ),
    path(
        "c/<str:token>/attachments/<int:pk>/delete/",
        views.contact_attachment_delete,
        name="contact_attachment_delete",
    ),
    path("c/<str:token>/versions/<int:number>/", views.contact_version, name="contact_version"),
    path("staff/rounds/<slug:slug>/input/", staff_views.roster, name="staff_roster"),
    path("staff/rounds/<slug:slug>/input/links/", staff_views.send_links, name="staff_links"),
    path(
        "staff/rounds/<slug:slug>/input/reminders/",
        staff_views.reminders,
        name="staff_reminders",
    ),
    path(
        "staff/rounds/<slug:slug>/input/<int:code>/", staff_views.input_detail, name="staff_input"
    ),
    path(
        "staff/rounds/<slug:slug>/input/<int:code>/mark/",
        staff_views.input_mark,
        name="staff_mark",
    ),
    path(
        "staff/rounds/<slug:slug>/input/<int:code>/versions/<int:number>/",
        staff_views.input_version,
        name="staff_version",
    ),
    path(
        "staff/rounds/<slug:slug>/input/<int:code>/attachments/<int:pk>/",
        staff_views.input_attachment,
        name="staff_attachment",
    ),
    path(
        "staff/mail/inbound/<int:pk>/attach-to-input/",
        staff_views.triage_attach,
        name="triage_attach",
    ),
    path("staff/mail/inbound/<int:pk>/dismiss/", staff_views.triage_dismiss, name="triage_dismiss"),
]
