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
    # ---- norms (R-SUP-1)
    # ---- notices, rectification, bulletins (R-SUP-3)
    # ---- plans, agreement, self-inspection (R-SUP-2, R-SUP-4)
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/draw/", views.plan_draw, name="plan_draw"),
    path("plans/<int:pk>/award-rule/", views.plan_award_rule, name="plan_award_rule"),
    path("agreement/", views.agreement_page, name="agreement"),
    path("self/", views.self_list, name="self"),
    path("self/new/", views.self_new, name="self_new"),
    path("self/<int:pk>/", views.self_detail, name="self_check"),
    path("self/<int:pk>/findings/<int:finding>/done/", views.self_done, name="self_done"),
    path("self/<int:pk>/sign-off/", views.self_sign, name="self_sign"),
]
