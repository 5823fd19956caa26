"""How far two inspectors on one visit agree (R-SUP-2): Cohen's kappa over their verdicts, so
that norms judged inconsistently and inspectors who judge unlike the others show up."""

from collections import Counter

from .models import Finding


def cohen_kappa(pairs) -> float:
    """Cohen's kappa of (inspector A's verdict, inspector B's verdict) pairs: 1 when they
    always agree, 0 when they agree as often as chance would, below 0 when less.

    (po - pe) / (1 - pe), po the share of pairs alike, pe the chance of a pair alike from each
    inspector's own shares of verdicts. When chance agreement is certain (both always gave the
    one same verdict) the inspectors agree fully: 1.0. No pairs: ValueError."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        raise ValueError("cohen_kappa needs at least one pair of verdicts")
    a = Counter(x for x, _y in pairs)
    b = Counter(y for _x, y in pairs)
    observed = sum(1 for x, y in pairs if x == y) / n
    chance = sum(a[k] * b.get(k, 0) for k in a) / (n * n)
    if chance >= 1.0:
        return 1.0
    return (observed - chance) / (1.0 - chance)


LOW = 0.4  # below this kappa a norm or an inspector is flagged: judged unlike the others


def pairs_for(inspections) -> list[dict]:
    """The two inspectors' verdicts on each norm of visits with a second inspector, as
    {code, title, lead, second, a, b} (a the lead's verdict, b the second's) — one query."""
    rows = (
        Finding.objects.filter(
            inspection__in=inspections, inspection__second_inspector__isnull=False
        )
        .values(
            "inspection_id",
            "item__code",
            "item__title",
            "inspector_id",
            "verdict",
            "inspection__inspector_id",
            "inspection__second_inspector_id",
        )
        .order_by("inspection_id", "item__position")
    )
    by_visit = {}
    for r in rows:
        key = (r["inspection_id"], r["item__code"])
        entry = by_visit.setdefault(
            key,
            {
                "code": r["item__code"],
                "title": r["item__title"],
                "lead": r["inspection__inspector_id"],
                "second": r["inspection__second_inspector_id"],
            },
        )
        if r["inspector_id"] == entry["lead"]:
            entry["a"] = r["verdict"]
        elif r["inspector_id"] == entry["second"]:
            entry["b"] = r["verdict"]
    return [e for e in by_visit.values() if "a" in e and "b" in e]


def _summary(pairs) -> dict:
    verdicts = [(p["a"], p["b"]) for p in pairs]
    kappa = cohen_kappa(verdicts)
    return {
        "n": len(verdicts),
        "kappa": round(kappa, 2),
        "agreement": round(100 * sum(1 for a, b in verdicts if a == b) / len(verdicts), 1),
        "low": kappa < LOW,
    }


def by_item(pairs) -> list[dict]:
    """Per norm code (across versions: a code names the same norm), its kappa, the number of
    pairs and the share alike, lowest kappa first."""
    groups = {}
    for p in pairs:
        groups.setdefault(p["code"], []).append(p)
    out = [
        {"code": code, "title": group[-1]["title"], **_summary(group)}
        for code, group in groups.items()
    ]
    return sorted(out, key=lambda r: (r["kappa"], r["code"]))


def by_inspector(pairs) -> list[dict]:
    """Per inspector, the kappa over every pair they were in, lead or second: {staff_id, ...}."""
    groups = {}
    for p in pairs:
        groups.setdefault(p["lead"], []).append(p)
        groups.setdefault(p["second"], []).append(p)
    out = [{"staff_id": who, **_summary(group)} for who, group in groups.items()]
    return sorted(out, key=lambda r: (r["kappa"], r["staff_id"]))
