import datetime as dt

from django import template
from django.utils import formats, timezone

from servicehall.core import masking, money

register = template.Library()


@register.filter
def mask_phone(value):
    return masking.mask_phone(value or "")


@register.filter
def mask_id(value):
    return masking.mask_id(value or "")


@register.filter
def mask_name(value):
    return masking.mask_name(value or "")


@register.filter
def yuan(fen):
    """12000 → 120.00: an amount kept in fen, as people read it in yuan."""
    return money.yuan(fen)


@register.filter
def cn_date(value):
    """2026年11月26日 in Chinese, the locale's long date otherwise; a moment is dated by the
    local calendar (Asia/Shanghai), never by UTC's."""
    if not value:
        return ""
    from django.utils.translation import get_language

    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)

    if (get_language() or "").startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日"
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def cn_datetime(value):
    """2026年11月26日 09:05: the local date and time of a moment, for printed documents."""
    if not value:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{cn_date(value)} {value:%H:%M}"
