"""一机双屏 (R-Q-2): the citizen's screen at a window sees what is entered for them, masked,
on the window's private stream; the hall's public board never does."""

import pytest

from servicehall.errors import Forbidden
from servicehall.queueing import events, services
from servicehall.queueing.models import BoardEvent

ID = "410203199001011234"


@pytest.fixture
def w2(demo):
    return demo.windows.get(number=2)


def form_for(matter, **extra):
    data = {"matter": str(matter.pk), "applicant_name": "李小明", "id_number": ID}
    data.update({"phone": "13812345678", "outcome": "accepted"}, **extra)
    first = matter.materials.first()
    data[f"m{first.pk}"] = "missing"
    data[f"n{first.pk}"] = "复印件不清晰"
    return data, first


def test_the_screen_shows_the_form_masked(actor, demo, w2):
    officer = actor("officer")
    services.sign_in(actor=officer, window=w2)
    matter = demo.matters.filter(materials__isnull=False).first()
    form, material = form_for(matter)
    event = services.mirror_intake(actor=officer, window=w2, form=form)
    d = event.data
    assert d["applicant"] == "李**" and d["id_number"] == "4102**********1234"
    assert d["phone"] == "138****5678" and ID not in str(d)
    row = next(m for m in d["materials"] if m["name"] == material.name)
    assert row["state"] == "missing" and row["note"] == "复印件不清晰"
    assert d["matter"] == matter.name and d["window_id"] == w2.pk


def test_only_the_signed_in_staff_member_feeds_the_screen(actor, demo, w2):
    matter = demo.matters.filter(materials__isnull=False).first()
    with pytest.raises(Forbidden):
        services.mirror_intake(actor=actor("officer"), window=w2, form=form_for(matter)[0])
    assert not BoardEvent.objects.filter(kind="screen").exists()


def test_the_public_board_never_carries_the_screen(actor, demo, w2, monkeypatch):
    monkeypatch.setattr(events, "close_old_connections", lambda: None)  # inside a test atomic
    officer = actor("officer")
    services.sign_in(actor=officer, window=w2)
    matter = demo.matters.filter(materials__isnull=False).first()
    shown = services.mirror_intake(actor=officer, window=w2, form=form_for(matter)[0])
    row = {"pk": shown.pk, "unit_id": demo.pk, "kind": "screen", "data": shown.data}
    assert events._audiences(row) == [("screen", w2.pk)]
    call = {"pk": 1, "unit_id": demo.pk, "kind": "call", "data": {"window_id": w2.pk}}
    assert events._audiences(call) == [demo.pk, ("screen", w2.pk)]
    assert shown.pk not in [r["pk"] for r in events._missed(demo.pk, 0)]
    assert shown.pk in [r["pk"] for r in events._missed(("screen", w2.pk), 0)]


def test_a_screen_key_opens_one_window_and_cannot_be_guessed(client, demo, w2):
    key = services.screen_key(w2)
    assert services.window_for_screen(key) == w2
    forged = key.replace(str(w2.pk), str(w2.pk + 1), 1)
    assert services.window_for_screen(forged) is None
    assert client.get(f"/screen/{key}/").status_code == 200
    assert client.get(f"/screen/{w2.pk}/").status_code == 404
    assert events._audience(["events", "screen", str(w2.pk)]) is None
    assert events._audience(["events", "screen", key]) == ("screen", w2.pk)
