import pytest

from servicehall.queueing import services as queue
from servicehall.queueing.models import Queue


@pytest.fixture
def finish_visits(demo, actor):
    """finish_visits(n=1): n visits taken, called, served and finished today by the officer
    (王建国) at window 2, oldest first."""
    officer = actor("officer")
    window = demo.windows.get(number=2)
    queue.sign_in(actor=officer, window=window)
    a = Queue.objects.get(unit=demo, letter="A")

    def make(n=1):
        done = []
        for _ in range(n):
            queue.take_ticket(queue=a)
            ticket = queue.call_next(actor=officer, window=window)
            queue.start(actor=officer, ticket=ticket)
            done.append(queue.finish(actor=officer, ticket=ticket))
        return done

    return make
