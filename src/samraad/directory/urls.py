from django.urls import path

from samraad.directory import views

app_name = "directory"
urlpatterns = [
    path("staff/people/", views.people_list, name="people_list"),
    path("staff/people/new/", views.person_edit, name="person_create"),
    path("staff/people/<int:pk>/", views.person_edit, name="person_edit"),
    path("staff/people/import/", views.people_import, name="people_import"),
    path(
        "staff/people/import/preview/",
        views.people_import_preview,
        name="people_import_preview",
    ),
    path("staff/people/import/commit/", views.people_import_commit, name="people_import_commit"),
]
