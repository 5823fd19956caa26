"""Rows that prove they were not faked or changed (decisions 0010, 0014, 0025): each row is
signed when written (`mac`, an HMAC with the server's secret over its content), linked into a
hash chain (`seq`, `prev_hash`, `chain_hash`), and the chain's head is anchored now and then in
a signed checkpoint file outside the database.

Ratings (feedback) and violation points (violations) use these helpers, each with its own
salts, so that what either stored before still verifies.
"""

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64  # the prev_hash of a chain's first row


def _value(v):
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).isoformat()
    return v


def canonical(values) -> str:
    """The signed content of a row: its signed fields' values, in their order, as one string."""
    return json.dumps([_value(v) for v in values], ensure_ascii=False, separators=(",", ":"))


def mac(salt: str, text: str) -> str:
    """The signature of `text`; the salt names what is signed (a rating, a follow-up …)."""
    return salted_hmac(salt, text, algorithm="sha256").hexdigest()


def link(prev_hash: str, seq: int, pk: int, row_mac: str) -> str:
    """A row's chain hash: its place, its id and its signature, after the row before it."""
    return hashlib.sha256(f"{prev_hash}|{seq}|{pk}|{row_mac}".encode()).hexdigest()


@dataclass(frozen=True)
class Finding:
    """One row (`row_id`) or place in the chain (`seq`) that does not fit; a chain's own kinds
    of problem join MESSAGES in a subclass."""

    row_id: int | None
    seq: int | None
    problem: str  # changed, inserted, deleted, broken, checkpoint, …

    MESSAGES: ClassVar[dict] = {
        "changed": _("changed after it was written"),
        "inserted": _("inserted behind the application's back"),
        "deleted": _("deleted (a gap in the chain)"),
        "broken": _("the chain does not link here"),
        "checkpoint": _("does not match the signed checkpoint"),
    }

    def __str__(self):
        where = f"#{self.row_id}" if self.row_id else f"seq {self.seq or '?'}"
        return f"{where}: {self.MESSAGES[self.problem]}"

    @staticmethod
    def ordered(findings) -> list:
        """Each finding once, in chain order, the rows outside the chain last."""
        return sorted(
            set(findings), key=lambda f: (f.seq is None, f.seq or 0, f.row_id or 0, f.problem)
        )


class Walk:
    """The chain walked in `seq` order, one sealed row at a time: `step` names what does not
    fit (a gap, a row whose signature fails, a link that does not follow) as (id, seq,
    problem) with problem "deleted", "changed" or "broken". `heads` keeps seq → chain hash
    for the checkpoints."""

    def __init__(self):
        self.expected, self.prev, self.heads = 1, GENESIS, {}

    def step(self, *, pk, seq, row_mac, prev_hash, chain_hash, signed: bool) -> list[tuple]:
        self.heads[seq] = chain_hash
        found = []
        if seq > self.expected:
            found += [(None, n, "deleted") for n in range(self.expected, seq)]
            self.prev = prev_hash  # the gap is named; check the rest from here
        if not signed:
            found.append((pk, seq, "changed"))
        elif prev_hash != self.prev or chain_hash != link(self.prev, seq, pk, row_mac):
            found.append((pk, seq, "broken"))
        self.prev, self.expected = chain_hash, seq + 1
        return found


@dataclass(frozen=True)
class Checkpoints:
    """A chain's checkpoint file (decision 0014): one signed line per head written, appended
    after the rows it counts are committed, so that deleting the newest rows no longer
    verifies clean. `setting` is the SERVICEHALL key naming the file."""

    setting: str
    salt: str

    def file(self) -> Path:
        return Path(settings.SERVICEHALL[self.setting])

    def sign(self, seq: int, head: str, at: str) -> str:
        return mac(self.salt, f"{seq}|{head}|{at}")

    def write(self, seq: int, head: str, now=None) -> dict:
        """Append a signed checkpoint (how many rows the chain holds, and its head hash)."""
        at = (now or timezone.now()).astimezone(dt.UTC).isoformat()
        point = {"seq": seq, "head": head, "at": at, "mac": self.sign(seq, head, at)}
        path = self.file()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        with os.fdopen(fd, "a") as out:  # one write per line: appends of two writers never mix
            out.write(json.dumps(point, separators=(",", ":")) + "\n")
            out.flush()
            os.fsync(out.fileno())
        return point

    def all(self) -> list[dict]:
        """Every checkpoint in the file, oldest first; a line that is not one is kept as
        {"bad": line} so that the check names it."""
        try:
            lines = self.file().read_text().splitlines()
        except FileNotFoundError:
            return []
        points = []
        for line in lines:
            try:
                point = json.loads(line)
                points.append({k: point[k] for k in ("seq", "head", "at", "mac")})
            except (ValueError, KeyError, TypeError):
                points.append({"bad": line[:80]})
        return points

    def latest(self) -> dict | None:
        """The newest checkpoint (read from the file's end)."""
        try:
            with self.file().open("rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 4096))
                tail = f.read().decode(errors="replace").splitlines()
        except FileNotFoundError:
            return None
        for line in reversed(tail):
            try:
                point = json.loads(line)
                return {k: point[k] for k in ("seq", "head", "at", "mac")}
            except (ValueError, KeyError, TypeError):
                continue
        return None

    def problems(self, heads: dict[int, str]) -> list[tuple]:
        """The table (seq → chain hash) against every checkpoint, as (seq, problem): a row a
        checkpoint counted must still be there with the head it had ("deleted" otherwise), a
        checkpoint must carry the server's signature and match ("checkpoint")."""
        found, missing = [], set()
        for point in self.all():
            if "bad" in point or not isinstance(point["seq"], int):
                found.append((None, "checkpoint"))
                continue
            if not constant_time_compare(
                point["mac"], self.sign(point["seq"], point["head"], point["at"])
            ):
                found.append((point["seq"], "checkpoint"))
                continue
            if point["seq"] not in heads:
                # the rows up to this checkpoint that are gone (those within the table's range
                # are named by the chain walk already)
                top = max(heads, default=0)
                missing.update(range(top + 1, point["seq"] + 1))
            elif heads[point["seq"]] != point["head"]:
                found.append((point["seq"], "checkpoint"))
        found += [(n, "deleted") for n in sorted(missing)]
        return found
