from django.urls import path

from samraad.audit import views

app_name = "audit"
urlpatterns = [
    path("staff/audit/", views.event_list, name="event_list"),
    path("staff/people/<int:pk>/export.json", views.person_export, name="person_export"),
    path("staff/people/<int:pk>/erase/", views.person_erase_confirm, name="person_erase"),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
]
