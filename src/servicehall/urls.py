from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from servicehall.api import api
from servicehall.audit import views as audit_views
from servicehall.cases import views as case_views
from servicehall.catalog import views as catalog_views
from servicehall.complaints import views as complaint_views
from servicehall.feedback import views as feedback_views
from servicehall.jobs import views as job_views
from servicehall.org import views as org_views
from servicehall.queueing import views as queue_views
from servicehall.violations import views as violation_views
from servicehall.web import views as web_views
from servicehall.worktime import views as worktime_views

org_patterns = (
    [
        path("", org_views.tree, name="tree"),
        path("units/new/", org_views.unit_edit, name="unit_new"),
        path("units/<int:pk>/", org_views.unit_detail, name="unit"),
        path("units/<int:pk>/edit/", org_views.unit_edit, name="unit_edit"),
        path("units/<int:unit_pk>/windows/new/", org_views.window_edit, name="window_new"),
        path("units/<int:unit_pk>/windows/<int:pk>/", org_views.window_edit, name="window_edit"),
        path("units/<int:unit_pk>/staff/new/", org_views.staff_edit, name="staff_new"),
        path("units/<int:unit_pk>/staff/<int:pk>/", org_views.staff_edit, name="staff_edit"),
        path("units/<int:unit_pk>/groups/new/", org_views.group_edit, name="group_new"),
        path("units/<int:unit_pk>/groups/<int:pk>/", org_views.group_edit, name="group_edit"),
        path("units/<int:unit_pk>/custody/", org_views.custody_assign, name="custody"),
        path("organizations/new/", org_views.organization_edit, name="organization_new"),
        path("organizations/<int:pk>/", org_views.organization_edit, name="organization_edit"),
        path("organizations/<int:org_pk>/groups/new/", org_views.group_edit, name="org_group_new"),
        path(
            "organizations/<int:org_pk>/groups/<int:pk>/",
            org_views.group_edit,
            name="org_group_edit",
        ),
        path("delete/<str:kind>/<int:pk>/", org_views.delete, name="delete"),
        path("import/", org_views.import_page, name="import"),
        path("import/jobs/<int:pk>/", org_views.import_job, name="import_job"),
        path("import/template.xlsx", org_views.import_template, name="template"),
        path("export.xlsx", org_views.export, name="export"),
    ],
    "org",
)

urlpatterns = [
    path("api/v1/", api.urls),  # first: machines call it many times a second
    path("", web_views.home, name="home"),
    path("org/", include(org_patterns)),
    path("wall/<slug:code>/", org_views.wall, name="wall"),
    path("audit/", audit_views.trail, name="audit"),
    # the notices app's page, at the address it always had (links in mail and bookmarks)
    path("cases/notifications/", include("servicehall.notices.urls")),
    path("jobs/", job_views.runs, name="job_runs"),
    path("cases/", include("servicehall.cases.urls")),
    path("supervision/", include("servicehall.supervision.urls")),
    path("points/", violation_views.ledger, name="violation_ledger"),
    path("status/", case_views.status, name="case_status"),
    path("kiosk/<slug:code>/", queue_views.kiosk, name="kiosk"),
    path("kiosk/<slug:code>/slips/<str:token>/", feedback_views.kiosk_ticket, name="kiosk_ticket"),
    path("board/<slug:code>/", queue_views.board, name="board"),
    path("screen/", feedback_views.citizen_screen, name="screen"),
    path("rate/case/<str:token>/", feedback_views.rate_case_link, name="rate_case"),
    path("rate/<str:token>/", feedback_views.rate_link, name="rate_link"),
    path("reviews/", feedback_views.reviews, name="reviews"),
    path("ratings/checkpoints.json", feedback_views.checkpoints, name="rating_checkpoints"),
    path("ratings/<slug:code>/", feedback_views.published, name="ratings_published"),
    path("reviews/<int:pk>/", feedback_views.review_step, name="review_step"),
    path("reviews/appeals/", feedback_views.appeals, name="appeals"),
    path("reviews/patterns/", feedback_views.patterns, name="rating_patterns"),
    path("reviews/devices/", feedback_views.devices, name="rating_devices"),
    path("kiosk/<slug:code>/check-in/", queue_views.kiosk_check_in, name="kiosk_check_in"),
    path("book/<slug:code>/", queue_views.book, name="book"),
    path("book/<slug:code>/<int:slot_id>/", queue_views.book_slot, name="book_slot"),
    path("console/contacts/<int:pk>/done/", queue_views.contacted, name="contacted"),
    path("console/", queue_views.console, name="console"),
    path("console/rota/", queue_views.rota_page, name="rota"),
    path("console/reception/", queue_views.reception, name="reception"),
    path("console/requests/", queue_views.appointment_requests, name="appointment_requests"),
    path("console/hall/", queue_views.hall, name="hall"),
    path("console/pauses/<int:pk>/approve/", queue_views.approve, name="approve_pause"),
    path(
        "console/<int:window_id>/<str:action>/", queue_views.console_action, name="console_action"
    ),
    path("complaints/", complaint_views.index, name="complaints"),
    path("complaints/new/", complaint_views.new, name="complaint_new"),
    path("complaints/status/", complaint_views.status, name="complaint_status"),
    path("complaints/register/", complaint_views.register, name="complaint_register"),
    path("complaints/openings/", complaint_views.openings, name="complaint_openings"),
    path("complaints/<str:code>/", complaint_views.detail, name="complaint"),
    path("open311/v2/", include("servicehall.complaints.open311")),
    path("hotline/", include("servicehall.hotline.urls")),
    path("guide/", catalog_views.guide, name="guide"),
    path("guide/<slug:code>/", catalog_views.matter, name="guide_matter"),
    path("guide/<slug:code>/card/", catalog_views.card, name="guide_card"),
    path("calendar/", worktime_views.year_view, name="calendar"),
    path("calendar/<int:year>/", worktime_views.year_view, name="calendar_year"),
    path("help/permissions/", web_views.permissions_page, name="permissions"),
    path("accounts/login/", web_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # browsers ask for /favicon.ico on pages that name no icon (boards, screens, the admin)
    path("favicon.ico", web_views.favicon),
]
if settings.SERVICEHALL["SERVE_MEDIA"]:
    urlpatterns.append(re_path(r"^media/(?P<path>.+)$", web_views.media, name="media"))
