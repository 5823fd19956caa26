"""Public forms are submitted once (PRG and a one-time key): booking and the rating link.
The complaint form's own tests are in tests/complaints/test_submit_once.py."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from servicehall.catalog.models import Matter
from servicehall.core.idnumbers import with_check_digit
from servicehall.queueing.models import Appointment, AppointmentSlot

ID1 = with_check_digit("41020319850612202")


@pytest.fixture
def slot(demo):
    matter = Matter.objects.get(code="passport-issue")
    slot, _created = AppointmentSlot.objects.update_or_create(
        matter=matter,
        date=timezone.localdate() + dt.timedelta(days=3),
        start=dt.time(9),
        defaults={"unit": matter.unit, "end": dt.time(10), "capacity": 3},
    )
    return slot


def _url(slot):
    return reverse("book_slot", args=[slot.unit.code, slot.pk])


def _key(client, slot):
    page = client.get(_url(slot)).content.decode()
    return re.search(r'name="once" value="([0-9a-f]{32})"', page).group(1)


def _booking(slot, key):
    return {"name": "赵丽", "id_number": ID1, "phone": "13912345678", "once": key}


def test_booking_redirects_to_a_check_in_code_that_reloads(client, slot):
    key = _key(client, slot)
    response = client.post(_url(slot), _booking(slot, key))
    assert response.status_code == 302
    assert response["Location"] == f"{_url(slot)}?booked={key}"
    appointment = Appointment.objects.get(slot=slot, id_number=ID1)
    for _ in range(2):
        page = client.get(response["Location"])
        assert page.status_code == 200 and appointment.code in page.content.decode()
    assert Appointment.objects.filter(slot=slot).count() == 1


def test_two_posts_with_the_same_key_book_once_and_show_the_same_code(client, slot):
    key = _key(client, slot)
    first = client.post(_url(slot), _booking(slot, key))
    second = client.post(_url(slot), _booking(slot, key))
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Appointment.objects.filter(slot=slot).count() == 1
    code = Appointment.objects.get(slot=slot).code
    assert code in client.get(second["Location"]).content.decode()


def test_a_refused_booking_stores_nothing_and_says_why(client, slot):
    key = _key(client, slot)
    page = client.post(_url(slot), _booking(slot, key) | {"phone": ""})
    assert page.status_code == 200
    assert "Enter a phone number" in page.content.decode() or "电话" in page.content.decode()
    assert not Appointment.objects.filter(slot=slot).exists()


def test_another_slots_confirmation_key_shows_nothing_of_this_one(client, slot):
    key = _key(client, slot)
    client.post(_url(slot), _booking(slot, key))
    other = AppointmentSlot.objects.exclude(pk=slot.pk).filter(unit=slot.unit).first()
    if other is not None:
        page = client.get(f"{_url(other)}?booked={key}").content.decode()
        assert Appointment.objects.get(slot=slot).code not in page
