"""One row per periodic job: what its last run did (decision 0020)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok", _("Succeeded")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("job"), max_length=100, unique=True)
    started_at = models.DateTimeField(_("last run started"), null=True, blank=True)
    seconds = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    outcome = models.CharField(
        _("last outcome"), max_length=10, choices=Outcome.choices, blank=True
    )
    result = models.JSONField(_("result"), null=True, blank=True)  # the job's count(s)
    last_ok_at = models.DateTimeField(_("last succeeded"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)  # its traceback, personal data masked
    error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self):
        return self.name

    @property
    def error_line(self) -> str:
        """The traceback's last line: the exception and its message."""
        lines = [line for line in self.error.strip().splitlines() if line.strip()]
        return lines[-1] if lines else ""
