from django.urls import path

from samraad.core import views

app_name = "core"
urlpatterns = [
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/health/", views.health, name="health"),
    path("staff/health/probe/", views.probe, name="probe"),
]
