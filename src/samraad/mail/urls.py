from django.urls import path

from samraad.mail import inbound_views, outbox_views, views

app_name = "mail"
urlpatterns = [
    path("staff/mail/", outbox_views.outbox, name="outbox"),
    path("staff/mail/history/", outbox_views.history, name="history"),
    path("staff/mail/test/", outbox_views.send_test, name="send_test"),
    path("staff/mail/messages/<int:pk>/", outbox_views.message_detail, name="message"),
    path("staff/mail/messages/<int:pk>/resend/", outbox_views.resend, name="resend"),
    path("staff/mail/templates/", outbox_views.templates, name="templates"),
    path(
        "staff/mail/templates/<slug:key>/<slug:language>/",
        outbox_views.template_edit,
        name="template_edit",
    ),
    path("staff/mail/caught/", views.caught_list, name="caught_list"),
    path("staff/mail/caught/<int:pk>/", views.caught_detail, name="caught_detail"),
    path("staff/mail/caught/<int:pk>/html/", views.caught_html, name="caught_html"),
    path("staff/mail/caught/<int:pk>/part/<int:index>/", views.caught_part, name="caught_part"),
    path("staff/mail/inbound/", inbound_views.inbound_list, name="inbound_list"),
    path("staff/mail/inbound/<int:pk>/", inbound_views.inbound_detail, name="inbound_detail"),
    path("staff/mail/inbound/<int:pk>/html/", inbound_views.inbound_html, name="inbound_html"),
    path("staff/mail/inbound/<int:pk>/raw/", inbound_views.inbound_raw, name="inbound_raw"),
    path(
        "staff/mail/inbound/<int:pk>/attachments/<int:attachment_pk>/",
        inbound_views.inbound_attachment,
        name="inbound_attachment",
    ),
]
