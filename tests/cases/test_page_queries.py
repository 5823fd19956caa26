"""The page reads through selectors in a fixed number of queries: it costs the same with six
rows as with two, so a full hall is as quick as an empty one (issue 13 §5)."""

from servicehall.org.models import Staff
from tests.helpers import same_cost


def test_the_ledger(login, demo, staff_actor):
    from servicehall.catalog.models import Matter

    from .conftest import accept

    officer = staff_actor(Staff.objects.get(user__username="officer").badge_no)
    matter = Matter.objects.filter(unit=demo, active=True).order_by("order").first()

    def add(n):
        for _ in range(n):
            accept(officer, matter, window=officer.staff.window)

    page = same_cost(login("leader"), "/cases/ledger/", add)
    assert matter.name in page
