"""Fact rows to response dicts, for orjson to encode once (``api.json.json_response``):
exactly what the marshmallow schemas would dump (same keys, same order, same values),
without the cost of the dump (16% of an item GET). The key lists are read from the schemas'
field order once, at import, so they cannot drift; ``tests/api/test_fast_json.py`` checks the
result against the schema dump for every fact of the test database."""
import orjson

from ..corroboration import conflicts_with, independent_sources
from .facts import TYPE_PATHS, TYPED_SCHEMAS, FactBaseSchema, FactSchema

loads = orjson.loads
# row columns holding JSON text; every other key but ``links`` is a column as it is
JSON_COLUMNS = frozenset(["time", "entities", "citations", "relations", "attributes"])
TYPED_LINK = {ftype: f"/v1/{path}/" for ftype, path in TYPE_PATHS.items()}

GENERIC_KEYS = tuple(FactSchema().fields)
BASE_KEYS = tuple(FactBaseSchema().fields)
# a type's own fields (served from the row's ``attributes``), in their schema order
TYPED_FIELDS = {ftype: tuple(name for name in schema().fields if name not in BASE_KEYS)
                for ftype, schema in TYPED_SCHEMAS.items()}
# The columns of a CSV stream, in the order of the JSON keys (``links`` is not a column), the
# JSON-valued ones last; columns added later go at the end, so a column keeps its position.
LATER_COLUMNS = ["time", "relations", "independent_sources", "conflicts_with"]
_LAST = ("entities", "citations", "links", *LATER_COLUMNS)
GENERIC_COLUMNS = [key for key in GENERIC_KEYS if key not in _LAST] + ["entities", "citations", *LATER_COLUMNS]
TYPED_COLUMNS = {ftype: [*(key for key in BASE_KEYS if key not in _LAST), *own, "entities", "citations",
                         *LATER_COLUMNS] for ftype, own in TYPED_FIELDS.items()}


def _value(row, key):
    return loads(row[key]) if key in JSON_COLUMNS else row[key]


COMPUTED = frozenset(["independent_sources", "conflicts_with"])  # from the citations and relations


def _values(row, keys, links, as_of):
    fact = {key: links if key == "links" else None if key in COMPUTED else _value(row, key) for key in keys}
    if as_of is not None:
        fact["citations"] = [c for c in fact["citations"] if c["published"] <= as_of]
    fact["independent_sources"] = independent_sources(fact["citations"])
    fact["conflicts_with"] = conflicts_with(fact["relations"])
    return fact


def generic(row, as_of=None):
    """A fact row in the common shape (:class:`~api.shapes.facts.FactSchema`); with ``as_of``
    (an ISO day), only the citations of sources published on or before it."""
    fid = row["id"]
    links = {"self": "/v1/facts/" + fid, "typed": TYPED_LINK[row["type"]] + fid}
    return _values(row, GENERIC_KEYS, links, as_of)


def typed(row, as_of=None):
    """A fact row in its typed shape (``MeetingSchema``…: the type's own fields at top level)."""
    fid, ftype = row["id"], row["type"]
    links = {"self": TYPED_LINK[ftype] + fid, "fact": "/v1/facts/" + fid}
    fact = _values(row, BASE_KEYS, links, as_of)
    attributes = loads(row["attributes"])
    for name in TYPED_FIELDS[ftype]:
        if name in attributes:
            fact[name] = attributes[name]
    return fact
