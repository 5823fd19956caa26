"""Daily roll-ups: the figures of every window, staff member and unit per local day, the one
data layer for scoring and reports (decision 0023)."""
