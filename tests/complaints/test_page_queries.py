"""The page reads through selectors in a fixed number of queries: it costs the same with six
rows as with two, so a full hall is as quick as an empty one (issue 13 §5)."""

from servicehall.org.models import Staff
from tests.helpers import same_cost


def test_the_complaints_list(login, demo):
    from servicehall.complaints import services
    from servicehall.org.permissions import CITIZEN

    window = demo.windows.order_by("number").first()
    staff = Staff.objects.filter(unit=demo).order_by("pk").first()

    def add(n):
        for _ in range(n):
            services.file(
                actor=CITIZEN,
                kind="complaint",
                channel=services.Channel.WEB,
                unit=demo,
                window=window,
                staff=staff,
                category="attitude",
                description="窗口人员态度生硬，没有一次告知所需材料。",
                name="李群众",
                phone="13912345678",
            )

    page = same_cost(login("leader"), "/complaints/?show=all", add)
    assert "139****5678" in page and "13912345678" not in page  # masked in the list
