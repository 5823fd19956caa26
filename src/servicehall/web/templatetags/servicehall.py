from django import template
from django.utils import formats

from servicehall.web import masking

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
def cn_date(value):
    """2026年11月26日 in Chinese, the locale's long date otherwise."""
    if not value:
        return ""
    from django.utils.translation import get_language

    if (get_language() or "").startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日"
    return formats.date_format(value, "DATE_FORMAT")
