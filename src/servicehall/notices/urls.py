from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("<int:pk>/", views.open_notification, name="open"),
    path("<int:pk>/read/", views.mark_read, name="read"),
]
