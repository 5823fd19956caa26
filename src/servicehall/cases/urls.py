from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("new/mirror/<int:window_id>/", views.intake_mirror, name="intake_mirror"),
    path("find/", views.find, name="find"),
    path("ledger/", views.ledger, name="ledger"),
    path("<int:pk>/", views.case_page, name="case"),
    path("<int:pk>/visit/", views.resume, name="resume"),
    path("<int:pk>/refer/", views.refer, name="refer"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/visits/", views.visit, name="visit"),
    path("<int:pk>/fee/", views.fee, name="fee"),
    path("<int:pk>/fine/", views.fine, name="fine"),
    path("<int:pk>/steps/<int:step_pk>/<str:action>/", views.step_action, name="step"),
    path("<int:pk>/notices/<int:notice_pk>/print/", views.print_notice, name="print_notice"),
    path("<int:pk>/refusal/print/", views.print_refusal, name="print_refusal"),
    path("<int:pk>/receipt/print/", views.print_receipt, name="print_receipt"),
    path("referrals/<int:pk>/<str:kind>/print/", views.print_referral, name="print_referral"),
    path("referrals/<int:pk>/<str:action>/", views.referral_action, name="referral"),
]
