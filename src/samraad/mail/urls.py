from django.urls import path

from samraad.mail import views

app_name = "mail"
urlpatterns = [
    path("staff/mail/caught/", views.caught_list, name="caught_list"),
    path("staff/mail/caught/<int:pk>/", views.caught_detail, name="caught_detail"),
    path("staff/mail/caught/<int:pk>/html/", views.caught_html, name="caught_html"),
    path("staff/mail/caught/<int:pk>/part/<int:index>/", views.caught_part, name="caught_part"),
]
