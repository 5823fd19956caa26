from django.db import models
from django.utils.translation import gettext_lazy as _


class OneTimeKey(models.Model):
    """The one-time key a public form carries (servicehall.web.once): a second POST with the
    same key finds what the first one stored instead of storing it again."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    form = models.CharField(_("form"), max_length=20)
    object_id = models.BigIntegerField(_("stored record"))
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("one-time form key")
        verbose_name_plural = _("one-time form keys")

    def __str__(self):
        return f"{self.form} {self.object_id}"
