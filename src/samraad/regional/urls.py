from django.urls import path

from samraad.regional import views

app_name = "regional"
urlpatterns = [
    path("kkr/", views.index, name="index"),
    path("kkr/<int:pk>/", views.meeting_page, name="meeting"),
    path("kkr/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("kkr/<int:pk>/approve/", views.approve, name="approve"),
    path("kkr/<int:pk>/reopen/", views.reopen, name="reopen"),
    path(
        "kkr/<int:pk>/minutes/<int:minutes_pk>/",
        views.minutes_download,
        name="minutes_download",
    ),
    path(
        "kkr/<int:pk>/minutes/<int:minutes_pk>/remove/",
        views.minutes_remove,
        name="minutes_remove",
    ),
    path("staff/rounds/<slug:slug>/kkr/", views.staff_overview, name="staff_overview"),
    path("staff/rounds/<slug:slug>/kkr/ensure/", views.staff_ensure, name="staff_ensure"),
]
