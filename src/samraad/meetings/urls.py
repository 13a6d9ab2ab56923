from django.urls import path

from samraad.meetings import views

app_name = "meetings"
urlpatterns = [
    path("m/<str:token>/", views.member_page, name="member"),
]
