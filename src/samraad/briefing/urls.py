from django.urls import path

from samraad.briefing import views

app_name = "briefing"
urlpatterns = [
    path("staff/rounds/<slug:slug>/briefing/", views.staff_briefing, name="staff_briefing"),
    path(
        "staff/rounds/<slug:slug>/briefing/<int:pk>/download/",
        views.staff_download,
        name="staff_download",
    ),
]
