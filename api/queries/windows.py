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
