"""In-app notifications: who is told what, about which page. Every app below the web layer
tells people through notices.services.notify(); the page lists them at /cases/notifications/."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app message to a person, with a link to the thing it is about."""

    class Kind(models.TextChoices):
        # cases
        OVER_VISITS = "over_visits", _("More visits than allowed")
        NOTICE_NOT_ONE_TIME = "notice_not_one_time", _("Notice not one-time")
        REFERRED = "referred", _("Case handed to you")
        REFERRAL_DONE = "referral_done", _("Hand-off completed")
        DUE_WARNING = "due_warning", _("Due soon")
        DUE_OVERDUE = "due_overdue", _("Overdue")
        LIMIT_EXTENDED = "limit_extended", _("Decision limit extended")
        # queueing
        BACKUP = "backup", _("Cover a window (A/B)")
        PAUSE_APPROVAL = "pause_approval", _("Pause to approve")
        PAUSE_OVERRUN = "pause_overrun", _("Pause overrun")
        CONTACT_OVERDUE = "contact_overdue", _("Holiday request not answered in time")
        # feedback
        BAD_REVIEW = "bad_review", _("Bad review")
        # complaints
        COMPLAINT = "complaint", _("New complaint or suggestion")
        VIOLATION = "violation", _("Violation points")
        COMPLAINT_OVERDUE = "complaint_overdue", _("Complaint past its deadline")
        # supervision
        INSPECTION_PUBLISHED = "inspection_published", _("Inspection published")
        SUPERVISION_NOTICE = "supervision_notice", _("Supervision notice")
        NOTICE_ANSWERED = "notice_answered", _("Rectification to verify")
        NOTICE_VERIFIED = "notice_verified", _("Rectification verified")
        NOTICE_OVERDUE = "notice_overdue", _("Supervision notice past its deadline")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # Kept for the case's own notifications (the deadline job asks what a case was told);
    # everything else is reached through `link`.
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=300)
    link = models.CharField(
        _("link"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("The page the notification is about, a path on this site."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        db_table = "cases_notification"  # moved from cases (issue 13); the table stays
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.text
