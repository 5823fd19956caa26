"""The calendar's one signal: sent once after a State Council notice is loaded or the admin
changes a day or a year (R-LAW-4). Each app that stores a due time computed on the calendar
connects a receiver that recomputes its open items (worktime sits below them and cannot call
them), and returns how many it moved."""

from django.dispatch import Signal

# sent with years: the set of years whose days or status changed; now: the moment of the change
calendar_changed = Signal()
