"""How far two inspectors on one visit agree (R-SUP-2): Cohen's kappa over their verdicts, so
that norms judged inconsistently and inspectors who judge unlike the others show up."""

from collections import Counter


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
