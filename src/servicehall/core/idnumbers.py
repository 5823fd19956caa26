"""Checks of identity document numbers. The resident ID check follows GB 11643-1999."""

import datetime as dt
import re

from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def resident_id_problem(number: str) -> str | None:
    """None if an 18-character resident ID number is valid, else what is wrong with it."""
    number = (number or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return _("A resident ID number has 18 characters: 17 digits and a digit or X.")
    if number[0] not in "12345678":
        return _("The first two digits must be a province code.")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("Digits 7–14 must be a real date of birth.")
    if not dt.date(1900, 1, 1) <= born <= dt.date.today():
        return _("Digits 7–14 must be a real date of birth.")
    expected = _CHECK[sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True)) % 11]
    if number[17] != expected:
        return _("The check digit does not match: please check the number again.")
    return None


def with_check_digit(first17: str) -> str:
    """The full number for 17 digits (used by tests and the demo)."""
    return first17 + _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_problem(id_type: str, number: str) -> str | None:
    number = (number or "").strip()
    if not number:
        return _("Enter the ID number.")
    if id_type == "resident_id":
        return resident_id_problem(number)
    if not re.fullmatch(r"[A-Za-z0-9\-]{5,30}", number):
        return _("Use letters and digits only, 5 to 30 characters.")
    return None


def phone_problem(phone: str) -> str | None:
    phone = (phone or "").strip()
    if not phone:
        return None
    if re.fullmatch(r"1[3-9]\d{9}", phone) or re.fullmatch(r"0\d{2,3}-?\d{7,8}", phone):
        return None
    return _("Enter an 11-digit mobile number or a landline such as 0371-25661234.")
