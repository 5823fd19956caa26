from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    # ---- visits: the list, one visit, publishing it, its photos (R-SUP-2)
    path("inspections/", views.index, name="inspections"),
    path("inspections/<str:number>/", views.detail, name="inspection"),
    path("inspections/<str:number>/publish/", views.publish, name="publish"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    # ---- the phone form, offline (R-SUP-2)
    path("visit/", views.visit, name="visit"),
    path("visit/sw.js", views.worker, name="worker"),
    path("visit/sync/", views.sync, name="sync"),
    # ---- norms (R-SUP-1)
    # ---- notices, rectification, bulletins (R-SUP-3)
    # ---- plans, agreement, self-inspection (R-SUP-2, R-SUP-4)
]
