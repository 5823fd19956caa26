"""The page reads through selectors in a fixed number of queries: it costs the same with six
rows as with two, so a full hall is as quick as an empty one (issue 13 §5)."""

import uuid

from tests.helpers import same_cost


def test_the_bad_reviews(login, demo, actor, finish_visits):
    from servicehall.feedback import services
    from servicehall.org.permissions import CITIZEN

    def add(n):
        for ticket in finish_visits(n):
            services.rate(
                actor=CITIZEN,
                ticket=ticket,
                overall=1,
                reason="材料要求前后说法不一",
                idempotency_key=uuid.uuid4().hex,
            )
        services.seal()  # each bad review opens its follow-up

    page = same_cost(login("leader"), "/reviews/", add)
    assert page.count("材料要求前后说法不一") >= 6
