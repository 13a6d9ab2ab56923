from django.urls import path

from samraad.speakers import views

app_name = "speakers"
urlpatterns = [
    path("c/<str:token>/speaker/", views.contact_requests, name="contact_requests"),
    path("c/<str:token>/speaker/<int:pk>/", views.contact_request_detail, name="contact_request"),
    path("staff/speakers/", views.staff_list, name="staff_list"),
    path("staff/speakers/<int:pk>/", views.staff_detail, name="staff_detail"),
    path(
        "staff/mail/inbound/<int:message_pk>/speaker-request/",
        views.staff_from_inbound,
        name="staff_from_inbound",
    ),
    path("speakers/mine/", views.engagements, name="engagements"),
    path("speakers/mine/<int:pk>/", views.engagement, name="engagement"),
]
