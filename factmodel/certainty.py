"""When a fact matches a date window, for certain or possibly (docs/methodology.md, section 3):
the one definition, as SQL on the columns the build writes (``span_*``, ``whole_*``, ``held_*``
of ``facts``, kb/time_rules.py), read by the API's fact lists, conflicts and related entities.

A window is ``(first day, last day)``, either None when open. A fact matches it

- *possibly* when its span (the days its sources allow) overlaps the window;
- *for certain* when the window holds every day of ``whole`` (an act: every day it may have
  happened; a prediction: its whole expected time; a state: its observation, a day it held) or
  overlaps ``held`` (a state's days known to hold, from the latest day it may have started to
  the earliest day it may have ended). A column that is NULL never matches.

Every certain match is a possible one: ``held`` lies inside the span and ``whole`` meets it
(tests/kb/test_time_properties.py checks both on generated facts).
"""
from .spans import OPEN_END, OPEN_START

MATCHES = ("certain", "possible")


def _ends(window):
    low, high = window
    return (low or OPEN_START), (high or OPEN_END)


def possible(alias, window):
    """``(clauses, params)``: the span of the facts aliased ``alias`` overlaps ``window`` (no clause
    for an open end)."""
    low, high = window
    clauses, params = [], []
    if low:
        clauses.append(f"{alias}.span_end >= ?")
        params.append(low)
    if high:
        clauses.append(f"{alias}.span_start <= ?")
        params.append(high)
    return clauses, params


def certain(alias, window):
    """``(clause, params)``: the facts aliased ``alias`` match ``window`` for certain."""
    low, high = _ends(window)
    return (f"(({alias}.whole_start >= ? AND {alias}.whole_end <= ?) "
            f"OR ({alias}.held_start <= ? AND {alias}.held_end >= ?))", [low, high, high, low])
