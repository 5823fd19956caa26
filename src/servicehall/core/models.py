from django.db import models
from django.utils.translation import gettext_lazy as _


class OneTimeKey(models.Model):
    """The one-time key a public form carries (servicehall.core.once): a second POST with the
    same key finds what the first one stored instead of storing it again."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    form = models.CharField(_("form"), max_length=20)
    object_id = models.BigIntegerField(_("stored record"))
    created_at = models.DateTimeField(_("created"))

    class Meta:
        db_table = "web_onetimekey"  # created by the web app before core existed
        verbose_name = _("one-time form key")
        verbose_name_plural = _("one-time form keys")

    def __str__(self):
        return f"{self.form} {self.object_id}"


class RateCounter(models.Model):
    """One rate-limit counter of servicehall.core.counters, the store used when no Redis is
    configured: a row per (rule, client, window), counted up by one atomic UPDATE, so every
    worker process sees the same count (decision 0016)."""

    key = models.CharField(_("key"), max_length=250, primary_key=True)
    count = models.IntegerField(_("count"))
    expires = models.FloatField(_("expires (Unix time)"), db_index=True)

    class Meta:
        db_table = "web_ratecounter"
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")

    def __str__(self):
        return f"{self.key} {self.count}"
