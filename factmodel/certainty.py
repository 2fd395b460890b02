"""When a fact matches a date window, for certain or possibly (docs/methodology.md, section 3):
the one definition, as SQL on the columns the build writes (``span_*``, ``whole_*``, ``held_*``
of ``facts``, kb/time_rules.py), read by the API's fact lists, conflicts and related entities,
and the same test on a row (:func:`is_certain`), which marks the items of a list;
tests/kb/test_time_properties.py checks that the two agree.

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
CERTAIN_COLUMNS = ("whole_start", "whole_end", "held_start", "held_end")


def _ends(window):
    low, high = window or (None, None)
    return (low or OPEN_START), (high or OPEN_END)


def bounds(low_column, low, high_column, high):
    """``(clauses, params)``: ``low_column >= low`` and ``high_column <= high``, each only when
    its bound is not None."""
    clauses, params = [], []
    if low is not None:
        clauses.append(f"{low_column} >= ?")
        params.append(low)
    if high is not None:
        clauses.append(f"{high_column} <= ?")
        params.append(high)
    return clauses, params


def overlap(window, span_start="f.span_start", span_end="f.span_end"):
    """``(clauses, params)``: the span (its columns ``span_start``, ``span_end``) overlaps
    ``window`` (no clause for an open end): a *possible* match."""
    start, end = window or (None, None)
    return bounds(span_end, start, span_start, end)


def certain(alias, window):
    """``(clause, params)``: the facts aliased ``alias`` match ``window`` for certain."""
    low, high = _ends(window)
    # ifnull: a NULL column is false, never unknown, so that NOT of the clause is its opposite
    return (f"(ifnull({alias}.whole_start >= ? AND {alias}.whole_end <= ?, 0) "
            f"OR ifnull({alias}.held_start <= ? AND {alias}.held_end >= ?, 0))", [low, high, high, low])


def is_certain(row, window):
    """Whether a fact row (with the ``CERTAIN_COLUMNS``) matches ``window`` for certain."""
    low, high = _ends(window)
    whole_start, whole_end, held_start, held_end = (row[c] for c in CERTAIN_COLUMNS)
    return (whole_start is not None and whole_start >= low and whole_end <= high) or \
        (held_start is not None and held_start <= high and held_end >= low)
