from django.urls import path

from samraad.rounds import views

app_name = "rounds"
urlpatterns = [
    path("", views.current, name="current"),
    path("rounds/<slug:slug>/", views.detail, name="detail"),
    path("staff/rounds/<slug:slug>/copy/", views.copy, name="copy"),
]
