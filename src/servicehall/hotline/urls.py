"""Hotline pages: the seat's call log (R-FB-5, R-LAW-3)."""

from django.urls import path

from . import views

app_name = "hotline"
urlpatterns = [
    path("", views.index, name="index"),
    path("ring/", views.ring, name="ring"),
    path("<int:pk>/", views.call_page, name="call"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/hang-up/", views.hang_up, name="hang_up"),
]
