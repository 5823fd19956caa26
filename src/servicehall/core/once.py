"""Public forms are submitted once: POST, then redirect, then a confirmation that reloads.

A form carries a one-time key, generated when the form is drawn (`new_key`). `submit_once`
stores the record and its key in one transaction; a second POST with the same key (a double
click, a resent request, a reload of the POST) finds the first record and stores nothing.
The confirmation page is a GET by key (`stored`), so reloading it changes nothing either.
"""

import re
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OneTimeKey

_KEY = re.compile(r"^[0-9a-f]{32}$")


def new_key() -> str:
    return uuid.uuid4().hex


def valid(key) -> bool:
    return bool(_KEY.match(key or ""))


def submit_once(form: str, key: str, create):
    """(record id, created): `create()` stores the record unless this key stored one already."""
    if not valid(key):
        key = new_key()  # a form drawn before keys existed: stored, but not deduplicated
    earlier = OneTimeKey.objects.filter(key=key, form=form).first()
    if earlier is not None:
        return earlier.object_id, False
    try:
        with transaction.atomic():
            record = create()
            OneTimeKey.objects.create(
                key=key, form=form, object_id=record.pk, created_at=timezone.now()
            )
    except IntegrityError:
        # the same key raced in from a second request: the first one's record stands
        earlier = OneTimeKey.objects.filter(key=key, form=form).first()
        if earlier is None:
            raise
        return earlier.object_id, False
    return record.pk, True


def stored(form: str, key: str):
    """The id of the record this key stored, or None."""
    if not valid(key):
        return None
    return OneTimeKey.objects.filter(key=key, form=form).values_list("object_id", flat=True).first()
