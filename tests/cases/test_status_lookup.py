"""The public status look-up needs the number and something only the applicant holds (issue 12):
the check code printed on what they took home, or the last four characters of their ID number.
A number alone shows nothing, and a wrong pair answers exactly as an unknown number does."""

import html
import importlib
import re

import pytest
from django.apps import apps
from django.test import Client

from servicehall.cases import services
from servicehall.cases.models import CHECK_CODE_ALPHABET, Case
from servicehall.org.models import Staff

from .conftest import APPLICANT, accept, all_presented, at

CODE = re.compile(rf"^[{CHECK_CODE_ALPHABET}]{{6}}$")
UNKNOWN = "C2026-9999-000001"
NOT_FOUND = "没有与此编号和查询码相符的办件"
ID_WITH_X = "41020319850612205X"


def _page(client, **params):
    response = client.get("/status/", params)
    assert response.status_code == 200
    return response.content.decode()


def _alert(page):
    return " ".join(re.findall(r'role="alert"[^>]*>(.*?)</', page, re.S)).strip()


def _shows_case(page):
    return "status-card" in page


def _same_page(page, number):
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return page.replace(f'value="{number}"', "").replace(f"number={number}&", "")


def _wrong(code):
    """A well-formed check code that is not this one."""
    return "".join("2" if c != "2" else "3" for c in code)


@pytest.fixture
def case(actor, migration):
    return accept(actor("officer"), migration)


def test_every_case_gets_a_check_code_at_intake_whatever_the_outcome(actor, migration):
    officer = actor("officer")
    hukou = migration.materials.get(name="居民户口簿")
    accepted = accept(officer, migration)
    noticed = services.intake(
        actor=officer,
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration, **{hukou.name: ("missing", "")}),
        outcome="notice",
    )
    for c in (accepted, noticed):
        assert CODE.match(Case.objects.get(pk=c.pk).check_code)
    assert accepted.check_code != noticed.check_code


def test_a_number_alone_shows_no_case_and_asks_for_the_code(client, case):
    page = _page(client, number=case.number)
    assert not _shows_case(page) and "户口迁移" not in page and "办理中" not in page
    assert "查询码" in _alert(page) and "后四位" in _alert(page)
    # the form has the two fields, labelled, with help
    assert '<label for="number">' in page and '<label for="code">' in page
    assert 'aria-describedby="code-help"' in page and "6 位查询码" in page


def test_a_code_alone_asks_for_the_number(client, case):
    page = _page(client, code=case.check_code)
    assert not _shows_case(page) and "编号" in _alert(page)


def test_a_wrong_code_answers_exactly_as_an_unknown_number(client, case):
    wrong = _page(client, number=case.number, code=_wrong(case.check_code))
    unknown = _page(client, number=UNKNOWN, code=_wrong(case.check_code))
    assert not _shows_case(wrong) and NOT_FOUND in _alert(wrong)
    # the same page but for the number echoed in the form (and the per-page CSRF token)
    assert _same_page(wrong, case.number) == _same_page(unknown, UNKNOWN)
    # part of the code, or the code's first four characters, is no code
    for partial in (case.check_code[:5], case.check_code[:4], case.check_code + "2"):
        assert not _shows_case(_page(client, number=case.number, code=partial))


def test_the_number_and_its_check_code_show_the_status(client, case):
    code = case.check_code
    for typed in (code, code.lower(), f" {code[:3]}-{code[3:]} ", f"{code[:3]} {code[3:]}"):
        page = _page(client, number=case.number, code=typed)
        assert _shows_case(page) and "户口迁移" in page and "办理中" in page
        assert APPLICANT["name"] not in page and APPLICANT["id_number"] not in page


def test_the_last_four_of_the_id_number_open_it_too_an_x_in_either_case(client, actor, migration):
    case = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant={**APPLICANT, "id_number": ID_WITH_X},
        checks=all_presented(migration),
        outcome="accepted",
    )
    for typed in ("205X", "205x"):
        page = _page(client, number=case.number, code=typed)
        assert _shows_case(page) and ID_WITH_X not in page
    assert not _shows_case(_page(client, number=case.number, code="2050"))
    assert not _shows_case(_page(client, number=case.number, code="05X"))  # three are not four


def test_notice_and_slip_numbers_need_the_code_as_well(client, actor, case):
    referral = services.refer(
        actor=actor("officer"),
        case=case,
        task="入户调查核实",
        to_staff=Staff.objects.get(badge_no="041236"),
    )
    assert not _shows_case(_page(client, number=referral.slip_number))
    assert not _shows_case(_page(client, number=referral.slip_number, code=_wrong(case.check_code)))
    assert _shows_case(_page(client, number=referral.slip_number, code=case.check_code))


def test_a_code_opens_only_its_own_case(client, actor, migration):
    first, second = accept(actor("officer"), migration), accept(actor("officer"), migration)
    assert not _shows_case(_page(client, number=first.number, code=second.check_code))


def test_the_comparison_runs_whether_or_not_the_number_exists(monkeypatch, case):
    calls = []
    real = services.hmac.compare_digest
    monkeypatch.setattr(
        services.hmac, "compare_digest", lambda a, b: calls.append(len(b)) or real(a, b)
    )
    assert services.find_case_for_applicant(case.number, _wrong(case.check_code)) is None
    known = list(calls)
    calls.clear()
    assert services.find_case_for_applicant(UNKNOWN, _wrong(case.check_code)) is None
    assert calls == known == [6, 4]


def test_the_status_page_is_never_cached(client, case):
    response = client.get("/status/", {"number": case.number, "code": case.check_code})
    assert "no-store" in response["Cache-Control"]


# ---- printed documents and the staff page -----------------------------------------------


def test_the_receipt_prints_the_code_and_its_qr_link_opens_the_case(login, case):
    printed = login("officer").get(f"/cases/{case.pk}/receipt/print/").content.decode()
    assert re.search(rf'<td class="check-code">{case.check_code}</td>', printed)
    assert "查询码" in printed
    link = html.unescape(re.search(r'<td class="status-link">([^<]+)</td>', printed).group(1))
    assert f"code={case.check_code}" in link
    page = Client().get(link.removeprefix("http://testserver")).content.decode()
    assert _shows_case(page) and APPLICANT["name"] not in page


def test_the_notice_refusal_and_slip_print_the_code(login, actor, migration):
    officer = actor("officer")
    hukou = migration.materials.get(name="居民户口簿")
    noticed = services.intake(
        actor=officer,
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration, **{hukou.name: ("missing", "")}),
        outcome="notice",
    )
    refused = services.intake(
        actor=officer,
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration),
        outcome="rejected",
        rejection_basis="《户口登记条例》第十条",
        rejection_reason="迁入地不符合落户条件",
    )
    accepted = accept(officer, migration)
    referral = services.refer(
        actor=officer, case=accepted, task="入户调查", to_staff=Staff.objects.get(badge_no="041236")
    )
    client = login("officer")
    notice = noticed.notices.get()
    for path, code in [
        (f"/cases/{noticed.pk}/notices/{notice.pk}/print/", noticed.check_code),
        (f"/cases/{refused.pk}/refusal/print/", refused.check_code),
        (f"/cases/referrals/{referral.pk}/slip/print/", accepted.check_code),
    ]:
        printed = client.get(path).content.decode()
        assert re.search(rf'class="check-code">{code}<', printed), path
    handoff = client.get(f"/cases/referrals/{referral.pk}/handoff/print/").content.decode()
    assert accepted.check_code not in handoff  # the receiving officer's slip has no need of it


def test_the_officer_sees_the_code_on_the_case_page(login, case):
    page = login("officer").get(f"/cases/{case.pk}/").content.decode()
    assert re.search(rf'class="check-code">{case.check_code}<', page)


# ---- the data migration ---------------------------------------------------------------------


def test_the_migration_gives_every_stored_case_a_code(actor, migration):
    for _ in range(3):
        accept(actor("officer"), migration)
    Case.objects.update(check_code="")  # as the cases stored before the migration
    module = importlib.import_module("servicehall.cases.migrations.0005_check_code")
    module.fill_check_codes(apps, None)
    codes = list(Case.objects.values_list("check_code", flat=True))
    assert len(codes) >= 3 and all(CODE.match(c) for c in codes)
    assert len(set(codes)) > 1


# ---- the API ----------------------------------------------------------------------------------


def test_the_api_needs_the_code_and_answers_a_wrong_one_as_an_unknown_number(case):
    api = Client()
    alone = api.get(f"/api/v1/status/{case.number}")
    assert alone.status_code == 422 and "code" in alone.json()["fields"]
    wrong = api.get(f"/api/v1/status/{case.number}", {"code": _wrong(case.check_code)})
    unknown = api.get(f"/api/v1/status/{UNKNOWN}", {"code": _wrong(case.check_code)})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json() and NOT_FOUND in wrong.json()["detail"]
    right = api.get(f"/api/v1/status/{case.number}", {"code": case.check_code.lower()})
    assert right.status_code == 200 and right.json()["status"] == "in_progress"
    assert "no-store" in right["Cache-Control"]
    by_id = api.get(f"/api/v1/status/{case.number}", {"code": APPLICANT["id_number"][-4:]})
    assert by_id.status_code == 200 and APPLICANT["name"] not in by_id.content.decode()


def test_the_openapi_document_puts_the_code_in_the_query_and_documents_the_404(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/status/{number}"]["get"]
    where = {p["name"]: p["in"] for p in operation["parameters"]}
    assert where == {"number": "path", "code": "query"}
    assert next(p for p in operation["parameters"] if p["name"] == "code")["required"]
    assert {"200", "404"} <= set(operation["responses"])


def test_wrong_codes_for_one_number_are_limited_from_every_address(case, settings):
    """The last four of an ID number are ~11,000 values: wrong codes count against the number
    itself, whichever addresses send them; the right code still needs no wrong ones."""
    from tests.web.test_rate_limits import limits

    limits(settings, wrong_code="3/h", lookup="100/h")
    for n in range(3):
        guesser = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        assert NOT_FOUND in _alert(_page(guesser, number=case.number, code=f"{n:04d}"))
        # wrong check codes do not count against the number (only the last-four path)
        _page(guesser, number=case.number, code=_wrong(case.check_code))
    fourth = Client(REMOTE_ADDR="198.51.100.7").get(
        "/status/", {"number": case.number, "code": "0042"}
    )
    assert fourth.status_code == 429 and "错误查询码" in fourth.content.decode()
    api = Client(REMOTE_ADDR="198.51.100.8").get(f"/api/v1/status/{case.number}", {"code": "1234"})
    assert api.status_code == 429 and api.json()["rule"] == "rate-limit:wrong_code"
    # the applicant's check code is never locked out by someone else's wrong guesses
    page = _page(Client(REMOTE_ADDR="198.51.100.9"), number=case.number, code=case.check_code)
    assert _shows_case(page)


def test_the_public_look_up_runs_the_same_queries_whether_the_number_exists(case):
    """No timing tells whether a number exists: every look-up runs, found or not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as found:
        services.find_case_for_applicant(case.number, _wrong(case.check_code))
    with CaptureQueriesContext(connection) as missing:
        services.find_case_for_applicant(UNKNOWN, _wrong(case.check_code))
    assert len(found.captured_queries) == len(missing.captured_queries) == 3


def test_the_public_status_gives_shanghai_dates(client, actor, migration):
    case = accept(
        actor("officer"), migration, now=at(2026, 3, 10, 7, 30)
    )  # 23:30 UTC the day before
    body = client.get(f"/api/v1/status/{case.number}", {"code": case.check_code}).json()
    assert body["received_on"] == "2026-03-10"
