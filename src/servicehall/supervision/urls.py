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
    path("norms/", views.norms, name="norms"),
    path("norms/new/", views.norm_new, name="norm_new"),
    path("norms/<slug:code>/", views.norm_detail, name="norm"),
    path("norms/<slug:code>/edit/", views.norm_edit, name="norm_edit"),
    path("norms/<slug:code>/export.xlsx", views.norm_export, name="norm_export"),
    path("norms/<slug:code>/import/", views.norm_import, name="norm_import"),
    # ---- notices, rectification, bulletins (R-SUP-3)
    path("notices/", views.notice_list, name="notices"),
    path("notices/evidence/<int:pk>/", views.notice_evidence, name="notice_evidence"),
    path("notices/<str:number>/", views.notice_detail, name="notice"),
    path("notices/<str:number>/answer/", views.notice_answer, name="notice_answer"),
    path("notices/<str:number>/verify/", views.notice_verify, name="notice_verify"),
    path("notices/<str:number>/print/", views.notice_print, name="notice_print"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/<str:number>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<str:number>/publish/", views.bulletin_publish, name="bulletin_publish"),
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
