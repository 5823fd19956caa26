"""Field validators of the registry (issue 12), on the model fields so that every way in —
forms, the admin, the API and the Excel import (all through full_clean) — refuses the same."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"(?:0\d{2,3}-?|\(0\d{2,3}\))[2-9]\d{6,7}(?:-\d{1,6})?")
# how an export shows a phone (138****5678): a re-import keeps the stored number
MASKED_PHONE = re.compile(r"[\d\-()]*\*{2,}[\d\-()]*")
NORMAL_WHITESPACE = {"\t", "\n", "\r"}


def phone_problem(value: str):
    """Why `value` is not a Chinese mobile (11 digits, 13–19…) or landline number (area code
    and 7–8 digits, an extension after a dash), or None if it is one."""
    text = re.sub(r"[\s\u3000]", "", value or "")
    if not text or MOBILE.fullmatch(text) or LANDLINE.fullmatch(text):
        return None
    return _(
        "“%(value)s” is not a phone number: a mobile has 11 digits starting 13–19 (e.g. "
        "13812345678), a landline its area code and 7–8 digits (e.g. 0371-25661234)."
    ) % {"value": value}


def validate_phone(value):
    problem = phone_problem(value)
    if problem:
        raise ValidationError(problem, code="phone")


def control_character_in(value) -> str | None:
    """The first control or format character (Unicode Cc/Cf: NUL, ESC, a zero-width or
    direction mark …) in value, tab and line breaks aside; None if there is none."""
    for char in value or "":
        if char not in NORMAL_WHITESPACE and unicodedata.category(char) in ("Cc", "Cf"):
            return char
    return None


def validate_name(value):
    if control_character_in(value) is not None:
        raise ValidationError(
            _("Names may not contain control characters (such as a tab or an invisible mark)."),
            code="control_character",
        )
