from django.urls import path

from samraad.themes import views

app_name = "themes"
urlpatterns = [
    path("staff/rounds/<slug:slug>/themes/", views.overview, name="overview"),
    path("staff/rounds/<slug:slug>/themes/run/", views.start, name="start"),
    path("staff/rounds/<slug:slug>/themes/progress/", views.progress, name="progress"),
    path("staff/rounds/<slug:slug>/themes/compare/", views.compare, name="compare"),
    path("staff/rounds/<slug:slug>/themes/lexicon/", views.lexicon, name="lexicon"),
    path("staff/rounds/<slug:slug>/themes/<int:pk>/", views.theme_detail, name="theme"),
    path("staff/rounds/<slug:slug>/themes/<int:pk>/rename/", views.rename, name="rename"),
    path("staff/rounds/<slug:slug>/themes/<int:pk>/reject/", views.reject, name="reject"),
    path("staff/rounds/<slug:slug>/themes/<int:pk>/merge/", views.merge, name="merge"),
    path("staff/rounds/<slug:slug>/themes/<int:pk>/split/", views.split, name="split"),
    path("staff/rounds/<slug:slug>/themes/decisions/<int:pk>/undo/", views.undo, name="undo"),
]
