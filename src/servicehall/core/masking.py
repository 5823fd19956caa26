"""Masking of personal data (ID numbers, phones) in lists, exports and logs."""

import logging
import re

# 18-digit resident ID (last char may be X) and mainland mobile numbers, not inside longer digits.
_ID_RE = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
_MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_id(value: str) -> str:
    """4102**********1234: the first four and last four characters stay."""
    value = (value or "").strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; landlines keep the area code and last two digits."""
    value = (value or "").strip()
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(value) <= 4:
        return value  # service numbers like 110 or 12345 are public
    return (
        value[:-6] + "****" + value[-2:] if len(value) > 6 else "*" * (len(value) - 2) + value[-2:]
    )


def mask_name(value: str) -> str:
    """李**: the family name stays."""
    value = (value or "").strip()
    return value[:1] + "*" * (len(value) - 1) if value else ""


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number found in free text."""
    text = _ID_RE.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(3), text)
    return _MOBILE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


class MaskingFilter(logging.Filter):
    """Logging filter: no ID number or phone reaches a log line."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; leave it alone
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Tracebacks quote values too: format them now, masked, so handlers reuse this.
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True
