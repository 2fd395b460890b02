"""Date windows (``from``/``to``) on facts' spans: what bounds a window's walk of the sort key
in the dataset served (:func:`span_stats`, used by :class:`api.queries.fact_list.FactQuery`),
and the overlap test of every list with a window (:func:`overlap`; the window itself is
:func:`api.filters.window`)."""
import math

from factmodel.certainty import bounds, certain, overlap  # noqa: F401 (the window rule: factmodel/certainty.py)
from factmodel.dates import days_before  # noqa: F401 (used by api/queries/fact_list.py)
from factmodel.spans import SPAN_STATS_SQL

_STATS = {}  # dataset version -> SpanStats


class SpanStats:
    """What bounds the sort key of a date window in one dataset: ``max_days``, the longest
    finite span (``span_end - span_start`` in days; None: no finite span), and ``open_end_low``,
    the earliest ``span_start`` of a fact with a start and no end (None: there is none)."""

    __slots__ = ("max_days", "open_end_low")

    def __init__(self, max_days, open_end_low):
        self.max_days, self.open_end_low = max_days, open_end_low


def span_stats(conn, version=None):
    """The :class:`SpanStats` of the database on ``conn`` (a sqlite3 connection), computed once
    per ``version`` (the dataset version; None: not cached), from the ``meta`` entries the build
    writes (factmodel/spans.py), else by a scan of every fact."""
    if version is not None and version in _STATS:
        return _STATS[version]
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('max_span_days', 'open_end_low')").fetchall())
    if "max_span_days" in meta and "open_end_low" in meta:
        max_days, open_end_low = meta["max_span_days"] or None, meta["open_end_low"] or None
    else:
        max_days, open_end_low = conn.execute(SPAN_STATS_SQL).fetchone()
    stats = SpanStats(None if max_days is None else math.ceil(float(max_days)), open_end_low)
    if version is not None:
        _STATS.clear()  # one dataset is served at a time
        _STATS[version] = stats
    return stats


def matching(window, certain_only, alias="f"):
    """``(clauses, params)``: the facts aliased ``alias`` match ``window``: their span overlaps it,
    and, with ``certain_only`` (``time_match=certain``, the default), they match it for certain."""
    clauses, params = overlap(window, f"{alias}.span_start", f"{alias}.span_end")
    if window and certain_only:
        clause, more = certain(alias, window)
        clauses, params = [*clauses, clause], [*params, *more]
    return clauses, params


# A state observed again, as known by an ``as_of`` day before its latest observation was
# published: its extent then (``fact_extents``, kb/time_rules.py as_of_views) is narrower than the
# row's, so a window also tests it (factmodel/observations.py serves the same time).
VIEW = "SELECT 1 FROM fact_extents x WHERE x.fact_id = {alias}.id AND x.known_from <= ? AND x.known_until >= ?"


def as_of_overlap(window, as_of, alias="f"):
    """``(clause, params)`` or None: no extent of the fact as known by ``as_of`` misses ``window``."""
    clauses, params = overlap(window, "x.span_start", "x.span_end")
    if not clauses or not as_of:
        return None
    return (f"NOT EXISTS ({VIEW.format(alias=alias)} AND NOT ({' AND '.join(clauses)}))", [as_of, as_of, *params])


def certain_as_of(window, as_of, alias="f"):
    """``(clause, params)``: the facts aliased ``alias`` match ``window`` for certain, as known by
    ``as_of`` (None: as known today)."""
    clause, params = certain(alias, window)
    if not as_of:
        return clause, params
    view, more = certain("x", window)
    return (f"({clause} AND NOT EXISTS ({VIEW.format(alias=alias)} AND NOT {view}))", [*params, as_of, as_of, *more])


def certain_columns_as_of(conn, fact_id, as_of):
    """The certainty columns of a fact as known by ``as_of`` (a row of ``fact_extents``), or None
    when they are the fact's own."""
    return conn.execute("SELECT whole_start, whole_end, held_start, held_end FROM fact_extents "
                        "WHERE fact_id = ? AND known_from <= ? AND known_until >= ?", (fact_id, as_of, as_of)).fetchone()
