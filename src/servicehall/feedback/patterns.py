"""Ratings that look made rather than given (R-FB-1 不得弄虚作假): a report for the organizing
office, inspectors and unit leaders. Nothing here changes a rating; it points at what to check.

- bursts: top ratings in a row from one device, each within seconds of the last, faster
  than visits end at one window;
- instant: top ratings arriving seconds after the visit ended, with nothing but the one tap;
- out of line: a staff member whose share of top ratings (or of visits rated at all) differs
  from the rest of their unit by more than chance allows (two-proportion z-test).
"""

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from servicehall.queueing.models import Ticket

from .models import Rating

TOP = 5
BURST_COUNT = 3  # this many top ratings in a row from one device …
BURST_GAP = 40  # … each within this many seconds of the one before: no window serves so fast
INSTANT_SECONDS = 3  # a citizen needs longer than this to read the device and choose
INSTANT_SHARE = 0.2  # flag a staff member when this share of their ratings came instantly
MIN_RATINGS = 20  # fewer than this says nothing about one person
Z = 3.0  # how far from the unit is out of line


@dataclass
class Burst:
    device: str
    window: int | None
    staff: str
    start: dt.datetime
    end: dt.datetime
    count: int


@dataclass
class StaffLine:
    staff: str
    finished: int
    rated: int
    top: int
    instant: int
    top_z: float | None = None
    rated_z: float | None = None
    flags: list = field(default_factory=list)

    @property
    def top_share(self):
        return self.top / self.rated if self.rated else None

    @property
    def rated_share(self):
        return self.rated / self.finished if self.finished else None


def _z(k1, n1, k2, n2):
    """Two-proportion z statistic of k1/n1 against k2/n2, None when either is too small."""
    if n1 < MIN_RATINGS or n2 < MIN_RATINGS:
        return None
    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return None
    return round((k1 / n1 - k2 / n2) / se, 2)


def _who(name, badge):
    return f"{name}（{badge}）" if name else "—"


def report(unit, first: dt.date, last: dt.date) -> dict:
    """{"bursts": [Burst], "staff": [StaffLine], "instant": n, "ratings": n} for a unit's
    ratings of visits finished from first to last. Two queries."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = list(
        Rating.objects.filter(unit=unit, ticket__ended_at__gte=start, ticket__ended_at__lt=end)
        .values(
            "device",
            "overall",
            "created_at",
            "efficiency",
            "competence",
            "attitude",
            "tags",
            "comment",
            "window__number",
            "staff_id",
            "staff__name",
            "staff__badge_no",
            "ticket__ended_at",
        )
        .order_by("device", "created_at")
    )
    bursts, instant_by_staff, run = [], {}, []
    for r in rows:
        if r["device"] and r["overall"] != TOP and run and run[-1]["device"] == r["device"]:
            if len(run) >= BURST_COUNT:  # a lower rating ends the run
                bursts.append(_burst(run))
            run = []
        if r["device"] and r["overall"] == TOP:
            # a run: top ratings from one device, each within BURST_GAP of the one before
            if run and (
                run[-1]["device"] != r["device"]
                or (r["created_at"] - run[-1]["created_at"]).total_seconds() > BURST_GAP
            ):
                if len(run) >= BURST_COUNT:
                    bursts.append(_burst(run))
                run = []
            run.append(r)
            ended = r["ticket__ended_at"]
            if (
                ended is not None
                and (r["created_at"] - ended).total_seconds() < INSTANT_SECONDS
                and not (r["efficiency"] or r["competence"] or r["attitude"] or r["tags"])
                and not r["comment"]
            ):
                instant_by_staff[r["staff_id"]] = instant_by_staff.get(r["staff_id"], 0) + 1
    if len(run) >= BURST_COUNT:
        bursts.append(_burst(run))

    per_staff = (
        Ticket.objects.filter(
            queue__unit=unit, state=Ticket.State.DONE, ended_at__gte=start, ended_at__lt=end
        )
        .values("staff_id", "staff__name", "staff__badge_no")
        .annotate(
            finished=Count("pk"),
            rated=Count("rating"),
            top=Count("rating", filter=Q(rating__overall=TOP)),
        )
        .order_by("staff__badge_no")
    )
    lines = [
        StaffLine(
            staff=_who(s["staff__name"], s["staff__badge_no"]),
            finished=s["finished"],
            rated=s["rated"],
            top=s["top"],
            instant=instant_by_staff.get(s["staff_id"], 0),
        )
        for s in per_staff
        if s["staff_id"] is not None
    ]
    total = {k: sum(getattr(x, k) for x in lines) for k in ("finished", "rated", "top")}
    for line in lines:
        line.top_z = _z(line.top, line.rated, total["top"] - line.top, total["rated"] - line.rated)
        line.rated_z = _z(
            line.rated,
            line.finished,
            total["rated"] - line.rated,
            total["finished"] - line.finished,
        )
        if line.top_z is not None and abs(line.top_z) >= Z:
            line.flags.append("top_high" if line.top_z > 0 else "top_low")
        if line.rated_z is not None and line.rated_z >= Z:
            line.flags.append("rated_high")
        if (
            line.rated
            and line.instant >= BURST_COUNT
            and line.instant / line.rated >= INSTANT_SHARE
        ):
            line.flags.append("instant")
    return {
        "bursts": bursts,
        "staff": lines,
        "instant": sum(instant_by_staff.values()),
        "ratings": len(rows),
    }


def _burst(run) -> Burst:
    return Burst(
        device=run[0]["device"],
        window=run[0]["window__number"],
        staff=_who(run[0]["staff__name"], run[0]["staff__badge_no"]),
        start=run[0]["created_at"],
        end=run[-1]["created_at"],
        count=len(run),
    )
