"""R-SUP-2: how far the two inspectors of a visit agree — Cohen's kappa per norm and per
inspector, low agreement flagged."""

import pytest

from servicehall.supervision import agreement, selectors, services
from servicehall.supervision.agreement import cohen_kappa


def test_perfect_agreement_is_one():
    assert cohen_kappa([("pass", "pass"), ("deduct", "deduct"), ("na", "na")]) == 1.0


def test_the_classic_two_by_two_example():
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_all_disagreement_is_negative():
    assert cohen_kappa([("pass", "deduct"), ("deduct", "pass")] * 5) < 0


def test_chance_only_is_about_zero():
    pairs = [("a", "a"), ("a", "b"), ("b", "a"), ("b", "b")] * 25
    assert cohen_kappa(pairs) == pytest.approx(0.0)


def test_no_pairs_is_a_value_error():
    with pytest.raises(ValueError):
        cohen_kappa([])


def test_by_item_groups_by_code_across_versions():
    pairs = [
        {"code": "JXJ-5", "title": "胸卡", "lead": 1, "second": 2, "a": "pass", "b": "pass"},
        {"code": "JXJ-5", "title": "胸卡", "lead": 1, "second": 2, "a": "deduct", "b": "deduct"},
        {"code": "JXJ-16", "title": "五个一样", "lead": 1, "second": 3, "a": "pass", "b": "deduct"},
        {"code": "JXJ-16", "title": "五个一样", "lead": 3, "second": 1, "a": "deduct", "b": "pass"},
    ]
    rows = {r["code"]: r for r in agreement.by_item(pairs)}
    assert rows["JXJ-5"]["kappa"] == 1.0 and rows["JXJ-5"]["n"] == 2
    assert rows["JXJ-16"]["low"] and rows["JXJ-16"]["agreement"] == 0.0
    people = {r["staff_id"]: r for r in agreement.by_inspector(pairs)}
    assert people[1]["n"] == 4 and people[2]["n"] == 2 and people[3]["n"] == 2


@pytest.fixture
def two_visits(actor, draft):
    second = actor("admin").staff
    items = draft.items
    for lead, other in (("deduct", "pass"), ("pass", "deduct")):
        d = draft(verdicts={"JXJ-5": "pass", "JXJ-14": "pass", "JXJ-16": lead})
        d["second_inspector"] = second.pk
        d["second_verdicts"] = [
            {"item": items["JXJ-5"].pk, "verdict": "pass"},
            {"item": items["JXJ-14"].pk, "verdict": "pass"},
            {"item": items["JXJ-16"].pk, "verdict": other},
        ]
        services.sync(actor=actor("inspector"), draft=d)
    return second


def test_the_selector_reads_pairs_of_visits_with_a_second_inspector(actor, two_visits):
    result = selectors.agreement(actor("admin"))
    assert result["visits"] == 2 and result["pairs"] == 6
    rows = {r["code"]: r for r in result["items"]}
    assert rows["JXJ-16"]["n"] == 2 and rows["JXJ-16"]["low"]
    assert rows["JXJ-5"]["kappa"] == 1.0
    assert {r["name"] for r in result["inspectors"]} == {
        actor("inspector").staff.name,
        two_visits.name,
    }


def test_the_page_lists_a_norm_with_its_kappa(login, two_visits):
    page = login("inspector").get("/supervision/agreement/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "JXJ-16" in text and "五个一样" in text and "-1.0" in text


def test_bad_dates_are_a_400_and_a_leader_is_refused(login):
    client = login("admin")
    assert client.get("/supervision/agreement/?from=2026-13-01").status_code == 400
    assert client.get("/supervision/agreement/?from=2026-06-02&to=2026-06-01").status_code == 400
    assert login("leader").get("/supervision/agreement/").status_code == 403


def test_the_agreement_page_reads_in_chinese(login, two_visits):
    from tests.web.test_every_page_in_chinese import problems

    page = login("admin").get("/supervision/agreement/")
    assert problems(page.content.decode()) == []
    bad = login("admin").get("/supervision/agreement/?to=x")
    assert bad.status_code == 400 and problems(bad.content.decode()) == []
