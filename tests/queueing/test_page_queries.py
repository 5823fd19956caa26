"""The page reads through selectors in a fixed number of queries: it costs the same with six
rows as with two, so a full hall is as quick as an empty one (issue 13 §5)."""

import datetime as dt
import itertools

from django.utils import timezone

from servicehall.org.models import Staff, Window
from servicehall.queueing.models import Queue, Ticket, WindowSession
from tests.helpers import same_cost

serial = itertools.count(100)


def test_the_hall_view(login, demo):
    queue = Queue.objects.get(unit=demo, letter="A")
    now = timezone.now()

    def add(n):
        for _ in range(n):
            k = next(serial)
            window = Window.objects.create(unit=demo, number=k, function="综合受理")
            staff = Staff.objects.create(
                name=f"工作人员{k}", badge_no=f"Q{k}", role="officer", unit=demo, window=window
            )
            WindowSession.objects.create(window=window, staff=staff, signed_in_at=now)
            Ticket.objects.create(
                queue=queue,
                day=timezone.localdate(),
                number=k,
                label=f"A{k}",
                state=Ticket.State.CALLED,
                window=window,
                staff=staff,
                arrived_at=now,
                called_at=now,
            )

    page = same_cost(login("dutylead"), "/console/hall/", add)
    assert "工作人员105" in page and "A105" in page


def test_the_rota(login, demo):
    from servicehall.queueing.models import DutyAssignment

    staff = list(Staff.objects.filter(unit=demo).order_by("pk"))
    days = iter(range(28))

    def add(n):
        for _ in range(n):
            DutyAssignment.objects.create(
                unit=demo,
                date=timezone.localdate() + dt.timedelta(days=next(days)),
                kind=DutyAssignment.Kind.LUNCH,
                staff=staff[0],
            )

    page = same_cost(login("leader"), "/console/rota/", add)
    assert staff[0].name in page
