"""A complaint is filed once: the POST redirects to a confirmation that reloads, and a second
POST of the same form (its one-time key) files nothing new."""

import re

from django.urls import reverse

from servicehall.complaints.models import Complaint
from servicehall.core.models import OneTimeKey

DATA = {
    "kind": "complaint",
    "window_number": "2",
    "category": "attitude",
    "description": "窗口人员玩手机，不理人",
    "phone": "13812345678",
}


def _form_key(client, demo):
    page = client.get(reverse("complaint_new"), {"unit": demo.pk}).content.decode()
    return re.search(r'name="once" value="([0-9a-f]{32})"', page).group(1)


def _filed():
    return Complaint.objects.filter(description=DATA["description"])


def test_the_form_carries_a_fresh_one_time_key(client, demo):
    assert _form_key(client, demo) != _form_key(client, demo)


def test_the_post_redirects_to_a_confirmation_that_reloads_without_filing_again(client, demo):
    key = _form_key(client, demo)
    response = client.post(reverse("complaint_new"), DATA | {"unit": demo.pk, "once": key})
    assert response.status_code == 302
    confirmation = response["Location"]
    assert confirmation == f"{reverse('complaint_new')}?filed={key}"
    assert "13812345678" not in confirmation
    first = client.get(confirmation)
    complaint = _filed().get()
    assert complaint.code in first.content.decode()
    due = complaint.due_at
    for _ in range(2):  # reloading: the same code, the same 3-day clock, no new row
        again = client.get(confirmation)
        assert again.status_code == 200 and complaint.code in again.content.decode()
    assert _filed().count() == 1
    assert _filed().get().due_at == due


def test_two_posts_with_the_same_key_file_one_complaint(client, demo):
    key = _form_key(client, demo)
    data = DATA | {"unit": demo.pk, "once": key}
    first = client.post(reverse("complaint_new"), data)
    second = client.post(reverse("complaint_new"), data)
    assert first["Location"] == second["Location"]
    assert _filed().count() == 1
    assert OneTimeKey.objects.filter(key=key, form="complaint").count() == 1
    page = client.get(second["Location"]).content.decode()
    assert _filed().get().code in page


def test_two_forms_file_two_complaints(client, demo):
    for _ in range(2):
        client.post(
            reverse("complaint_new"), DATA | {"unit": demo.pk, "once": _form_key(client, demo)}
        )
    assert _filed().count() == 2


def test_a_refused_post_keeps_its_key_and_files_nothing(client, demo):
    key = _form_key(client, demo)
    page = client.post(
        reverse("complaint_new"), DATA | {"unit": demo.pk, "once": key, "description": ""}
    )
    assert page.status_code == 400  # what to fix, nothing filed
    assert f'name="once" value="{key}"' in page.content.decode()
    assert not OneTimeKey.objects.filter(key=key).exists()
    fixed = client.post(reverse("complaint_new"), DATA | {"unit": demo.pk, "once": key})
    assert fixed.status_code == 302 and _filed().count() == 1


def test_an_unknown_confirmation_key_shows_the_empty_form(client, demo):
    page = client.get(reverse("complaint_new"), {"filed": "0" * 32})
    assert page.status_code == 200
    assert 'name="description"' in page.content.decode()
