"""Query and form values read by views, parsed in one place: a bad value raises BadParameter,
which BadParameterMiddleware answers with a 400 page (or JSON under /api/) in the reader's
language naming the parameter, and nothing is changed. Never a 500.

    unit_id = int_param(request.GET, "unit")            # None when absent or empty
    first = date_param(request.GET, "from")
    show = choice_param(request.GET, "show", ["open", "all"], default="open")
"""

import datetime as dt
import re

from django.shortcuts import render
from django.utils.translation import gettext as _

from servicehall.core.errors import InvalidInput

MAX_INT = 2**31 - 1  # what an id column holds on every database
MAX_TEXT = 200  # a search term, a number, a code
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: "²".isdigit() is true, int("²") fails


class BadParameter(InvalidInput):
    """A value in the address or a form that cannot be read; `name` is the parameter."""

    def __init__(self, name, hint):
        self.name = name
        super().__init__(
            {
                name: [
                    _("The value of “%(name)s” is not valid: %(hint)s")
                    % {"name": name, "hint": hint}
                ]
            }
        )


def _raw(data, name):
    value = data.get(name)
    if value is None:
        return ""
    if "\x00" in value:
        raise BadParameter(name, _("it contains a NUL character."))
    return value.strip()


def as_int(value, *, low=1, high=MAX_INT):
    """A whole number low…high from a raw value, else None: for values a view ignores or
    answers in its own words."""
    value = (value or "").strip()
    if not _DIGITS.fullmatch(value) or len(value) > 12 or not low <= int(value) <= high:
        return None
    return int(value)


def int_param(data, name, *, default=None, low=1, high=MAX_INT):
    """A whole number low…high; absent or empty gives the default."""
    value = _raw(data, name)
    if not value:
        return default
    negative = value.startswith("-") and low < 0
    digits = value[1:] if negative else value
    if not _DIGITS.fullmatch(digits) or len(digits) > 12:
        raise BadParameter(
            name, _("give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
    number = -int(digits) if negative else int(digits)
    if not low <= number <= high:
        raise BadParameter(
            name, _("give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
    return number


def page_param(data, name="page"):
    """A page number, 1 or more (a page past the last shows the last one)."""
    return int_param(data, name, default=1)


def date_param(data, name, *, default=None, low=dt.date(1990, 1, 1), high=dt.date(2140, 12, 31)):
    """A date as YYYY-MM-DD within the years the calendar knows."""
    value = _raw(data, name)
    if not value:
        return default
    try:
        day = dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or not low <= day <= high:
        raise BadParameter(
            name,
            _("give a date such as %(example)s between %(low)s and %(high)s.")
            % {"example": "2026-01-31", "low": low.year, "high": high.year},
        )
    return day


def choice_param(data, name, choices, *, default=None):
    """One of the choices (their values); absent or empty gives the default."""
    value = _raw(data, name)
    if not value:
        return default
    allowed = [str(c) for c in choices]
    if value not in allowed:
        raise BadParameter(name, _("choose one of %(choices)s.") % {"choices": "、".join(allowed)})
    return value


def text_param(data, name, *, default="", max_length=MAX_TEXT):
    """Free text such as a search term or a number to look up, without NUL, not too long."""
    value = _raw(data, name)
    if not value:
        return default
    if len(value) > max_length:
        raise BadParameter(name, _("give at most %(n)s characters.") % {"n": max_length})
    return value


def nul_in(data):
    """The name of the first parameter whose name or value holds a NUL byte, else None."""
    for key, values in data.lists():
        if "\x00" in key:
            return key.replace("\x00", "\\0")
        if any("\x00" in v for v in values if isinstance(v, str)):
            return key
    return None


def bad_request(request, exc, *, back=None, back_label=None):
    """A page that says what was wrong with the address or the form, and changed nothing."""
    return render(
        request,
        "web/bad_request.html",
        {"message": str(exc), "back": back, "back_label": back_label},
        status=400,
    )
