from django.urls import path

from samraad.insights import views

app_name = "insights"
urlpatterns = [
    path("staff/rounds/<slug:slug>/insights/", views.coverage, name="coverage"),
    path(
        "staff/rounds/<slug:slug>/insights/coverage.<str:fmt>", views.export, name="coverage_export"
    ),
]
