"""Issue #16, for analysts: the SQL of ``facet=`` (counts per value next to a page of facts). The
views call in from :func:`api.listing.fact_list`; the page schema with the counts is
:mod:`api.shapes.facets`, and ``expand=entities`` :mod:`api.shapes.expand`.

**Facets** count the facts matching the current filters (the cursor aside: every page of a
list shows the same counts) per value of ``type``, ``status``, ``entity``, ``source``, ``year``
and ``month`` (of the fact's ``date``; undated facts count under ``null``): the top
:data:`FACET_SIZE` values, by count then value, and ``more_values`` when others exist. All the
facets of a request share one time budget, ``KB_FACET_TIME_LIMIT_MS`` (default: the query time
limit, ``KB_QUERY_TIME_LIMIT_MS``); a facet whose count the budget cut short answers
``"truncated": true`` and no values (never a partial count presented as a total), and the page
itself is still served.
"""
import sqlite3
import time

from flask import current_app, g

from factmodel.facets import FACETS as FACET_DEFS
from factmodel.facets import facet_sql

from ..params import FACETS

FACET_SIZE = 30  # values shown per facet

assert list(FACET_DEFS) == FACETS  # the parameter's choices (api/params.py) are the facets counted here


def _budget():
    limit = current_app.config.get("FACET_TIME_LIMIT_MS")
    return (current_app.config["QUERY_TIME_LIMIT_MS"] if limit is None else limit) / 1000


def _count(sql, params, deadline):
    """Rows of ``sql`` or None when the deadline interrupts it (SQLite's progress handler, the
    one :class:`api.dataset.db.Dataset` installs, reads ``deadline``)."""
    db = g.db
    db.deadline = deadline
    try:
        return db.conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            return None
        raise
    finally:
        db.deadline = None


def stored_scope(query):
    """The scope of ``facet_counts`` (kb/facet_counts.py) that holds the counts of ``query``'s
    matches: ``''`` for every fact, an entity id for that entity's facts alone, else None."""
    f = query.filters
    if not f.set_fields():
        return ""
    if f.set_fields() == ["entities"] and len(f.entities) == 1:
        return f.entities[0]
    if f.set_fields() == ["about"]:
        return "about:" + f.about
    return None


def _stored(scope, name):
    try:
        return g.db.all("SELECT value, n FROM facet_counts WHERE scope = ? AND facet = ? ORDER BY n DESC, value "
                        f"LIMIT {FACET_SIZE + 1}", (scope, name))
    except sqlite3.OperationalError:  # a database built before facet_counts
        return None


def facets(query, names):
    """``{facet: {"values": [{"value", "count"}], "more_values", "truncated"}}`` over every fact
    that :class:`~api.queries.fact_list.FactQuery` ``query`` matches: read from ``facet_counts``
    when the build stored them, else counted within the time budget."""
    matches, params = query.sql()
    scope = stored_scope(query)
    deadline = time.monotonic() + _budget()
    out = {}
    for name in dict.fromkeys(names):
        rows = _stored(scope, name) if scope is not None else None
        if rows is None:
            value, join, count = facet_sql(name, "m")
            sql = (f"SELECT {value} AS value, {count} AS n FROM ({matches}) m{join} "
                   f"GROUP BY 1 ORDER BY n DESC, value LIMIT {FACET_SIZE + 1}")
            rows = _count(sql, params, deadline) if time.monotonic() < deadline else None
        if rows is None:
            out[name] = {"values": [], "more_values": False, "truncated": True}
        else:
            out[name] = {"values": [{"value": r["value"], "count": r["n"]} for r in rows[:FACET_SIZE]],
                         "more_values": len(rows) > FACET_SIZE, "truncated": False}
    return out
