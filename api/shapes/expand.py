"""Issue #16, for analysts: ``expand=entities``, the referenced entities' names inline. The views
call in from :func:`api.listing.fact_list` and the item views; the entities are read by
:func:`api.queries.catalog.entity_names`.

**Expansion** is inline: each ``entities`` item gains ``name``, ``type`` and ``aliases``. Inline
rather than an ``included`` map beside the page because the same shape then serves a list, an
item and every line of an NDJSON/CSV stream (which have no envelope to hold a map), and a fact
stays self-contained when a client keeps it; the repetition costs little (a page names a few
dozen entities, read in one query). Without ``expand`` nothing changes, byte for byte.
"""
import orjson
from flask import request
from flask_smorest import abort

from ..queries.catalog import entity_names

EXPANDS = ["entities"]


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
