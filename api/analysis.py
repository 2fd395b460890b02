"""Issue #16, for analysts: ``expand=entities`` (the referenced entities' names inline) and
``facet=`` (counts per value next to a page of facts). The views call in from
:func:`api.listing.fact_list` and the item views; the SQL lives here, on the tables the lists
already read.

**Expansion** is inline: each ``entities`` item gains ``name``, ``type`` and ``aliases``. Inline
rather than an ``included`` map beside the page because the same shape then serves a list, an
item and every line of an NDJSON/CSV stream (which have no envelope to hold a map), and a fact
stays self-contained when a client keeps it; the repetition costs little (a page names a few
dozen entities, read in one query). Without ``expand`` nothing changes, byte for byte.

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

import marshmallow as ma
import orjson
from flask import current_app, g, request
from flask_smorest import abort

from factmodel.facets import FACETS as FACET_DEFS, facet_sql

from .http.pagination import window_page_of
from .params import FACETS

F = ma.fields

EXPANDS = ["entities"]
FACET_SIZE = 30  # values shown per facet

assert list(FACET_DEFS) == FACETS  # the parameter's choices (api/params.py) are the facets counted here


# ---- expand=entities ---------------------------------------------------------------------------

def entity_names(ids):
    """``{id: {"name", "type", "aliases"}}`` of the entities ``ids``, read in one query."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = g.db.all(f"SELECT id, name, type, aliases FROM entities WHERE id IN ({', '.join('?' * len(ids))})", ids)
    return {r["id"]: {"name": r["name"], "type": r["type"], "aliases": orjson.loads(r["aliases"])} for r in rows}


def _expand(fact, known):
    missing = [e["id"] for e in fact["entities"] if e["id"] not in known]
    if missing:
        known.update(entity_names(missing))
    fact["entities"] = [{**e, **known.get(e["id"], {})} for e in fact["entities"]]
    return fact


def expanding(convert, rows=None):
    """``convert`` (a row dumper) that also puts each entity's name, type and aliases inline;
    ``rows``: the page's rows, whose entities are then read in one query (a stream reads each
    entity once, when first met)."""
    known = {}
    if rows is not None:
        known.update(entity_names(e["id"] for row in rows for e in orjson.loads(row["entities"])))
    return lambda row, **kwargs: _expand(convert(row, **kwargs), known)


def item_expand():
    """The item views' ``expand`` (they parse no query schema: api.blueprint.doc_only): True for
    ``expand=entities``, 400 for any other value; other parameters are ignored as before."""
    values = request.args.getlist("expand")
    bad = [v for v in values if v not in EXPANDS]
    if bad or len(values) > 1:
        abort(400, message="Invalid request parameters",
              errors={"expand": [f"Must be one of: {', '.join(EXPANDS)}." if bad else "may be given only once"]})
    return bool(values)


EXPAND_PARAMETER = {"in": "query", "name": "expand", "required": False, "schema": {"type": "string", "enum": EXPANDS},
                    "description": "`entities`: each item of `entities` also carries the entity's `name`, `type` and "
                                   "`aliases`"}


# ---- facet= ------------------------------------------------------------------------------------

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


# ---- the page schema with facets ---------------------------------------------------------------

class FacetValueSchema(ma.Schema):
    value = F.String(required=True, allow_none=True, metadata={
        "description": "The value (an id for `entity` and `source`; YYYY or YYYY-MM for `year` and `month`); "
                       "null: facts without one (undated)", "example": "2024"})
    count = F.Integer(required=True, metadata={"description": "How many matching facts have it", "example": 12})


class FacetSchema(ma.Schema):
    values = F.List(F.Nested(FacetValueSchema), required=True, metadata={
        "description": f"The {FACET_SIZE} most frequent values, by count (highest first) then value"})
    more_values = F.Boolean(required=True, metadata={"description": "Other values exist beyond those shown"})
    truncated = F.Boolean(required=True, metadata={
        "description": "The count ran out of time (KB_FACET_TIME_LIMIT_MS) and was cut short: `values` is empty "
                       "rather than wrong; narrow the filters"})


def fact_page_of(item_schema, name):
    """:func:`api.http.pagination.page_of` plus the optional ``facets`` of ``facet=``."""
    return type(name, (ma.Schema,), {
        **window_page_of(item_schema, name + "Base")._declared_fields,
        "facets": F.Dict(keys=F.String(), values=F.Nested(FacetSchema), metadata={
            "description": "With `facet=`: per facet asked for, the counts over every fact matching the filters"}),
    })
