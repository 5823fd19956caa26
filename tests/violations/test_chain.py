"""The chain helpers ratings and the ledger share (servicehall.core.chain): lifted out of
feedback without changing a stored hash (decisions 0010, 0014, 0024)."""

import datetime as dt

from django.test import override_settings

from servicehall.core import chain
from servicehall.feedback import services as ratings

# A rating's signed values and what the code before the move computed from them, with this key.
VALUES = [
    7,
    None,
    3,
    12,
    None,
    1,
    None,
    None,
    None,
    ["快", "long wait"],
    "态度好",
    "",
    "device",
    "device:4",
    "k" * 16,
    dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
]
CANONICAL = (
    '[7,null,3,12,null,1,null,null,null,["快","long wait"],"态度好","","device","device:4",'
    '"kkkkkkkkkkkkkkkk","2026-11-03T01:30:00+00:00"]'
)
MAC = "f6b27acaec91440194fce2ec14ed9f64d4829a95c7227e913bf075cfb9ef3c49"
LINK = "acec677e50ac0ede3f56d1afb6e8274c6f2f85a54bba2cfb69318d8bffd93398"
CHECKPOINT = "151815fd6494872e035ba1be64df62e2750f27630d4252b67d1cf8565a46cd87"


@override_settings(SECRET_KEY="chain-test-key")
def test_ratings_sign_link_and_checkpoint_as_before_the_move():
    assert chain.canonical(VALUES) == CANONICAL
    assert ratings._mac(ratings._canonical(VALUES)) == MAC
    assert ratings._link(chain.GENESIS, 1, 7, MAC) == LINK
    assert ratings.CHECKPOINTS.sign(1, "ab" * 32, "2026-11-03T01:30:00+00:00") == CHECKPOINT


def test_the_walk_names_a_gap_a_changed_row_and_a_bad_link():
    walk = chain.Walk()
    first = chain.link(chain.GENESIS, 1, 10, "m1")
    row = {"row_mac": "m1", "prev_hash": chain.GENESIS, "chain_hash": first, "signed": True}
    assert walk.step(pk=10, seq=1, **row) == []
    third = chain.link(first, 3, 12, "m3")
    row = {"row_mac": "m3", "prev_hash": first, "chain_hash": third, "signed": False}
    assert walk.step(pk=12, seq=3, **row) == [(None, 2, "deleted"), (12, 3, "changed")]
    row = {"row_mac": "m4", "prev_hash": third, "chain_hash": "f" * 64, "signed": True}
    assert walk.step(pk=13, seq=4, **row) == [(13, 4, "broken")]
    assert set(walk.heads) == {1, 3, 4}
