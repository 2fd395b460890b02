"""Fact rows to response dicts, for orjson to encode once (``api.http.json.json_response``):
exactly what the marshmallow schemas would dump (same keys, same order, same values),
without the cost of the dump (16% of an item GET). The common shape (``generic``) is
``factmodel.facts``, shared with the build's dump; the typed shapes' own fields are read from
the schemas' field order once, at import, so they cannot drift. ``tests/api/test_fast_json.py``
checks the result against the schema dump for every fact of the test database."""
import orjson

from factmodel.facts import BASE_KEYS, GENERIC_KEYS, OPTIONAL_KEYS, TYPED_LINK, fact_values, history_link

from .facts import TYPED_SCHEMAS

loads = orjson.loads
# a type's own fields (served from the row's ``attributes``), in their schema order
TYPED_FIELDS = {ftype: tuple(name for name in schema().fields if name not in BASE_KEYS and name not in OPTIONAL_KEYS)
                for ftype, schema in TYPED_SCHEMAS.items()}
# The columns of a CSV stream, in the order of the JSON keys (``links`` is not a column), the
# JSON-valued ones last; columns added later go at the end, so a column keeps its position.
LATER_COLUMNS = ["time", "relations", "independent_sources", "conflicts_with", "time_match", "voice", "roles",
                 "corrected_by"]
_LAST = ("entities", "citations", "links", *LATER_COLUMNS)
GENERIC_COLUMNS = [key for key in GENERIC_KEYS if key not in _LAST] + ["entities", "citations", *LATER_COLUMNS]
# a type's own fields added after its CSV was published: at the end too (since 1.10.0, events' about)
LATER_OWN = {"event": ("about",)}
TYPED_COLUMNS = {ftype: [*(key for key in BASE_KEYS if key not in _LAST),
                         *(name for name in own if name not in LATER_OWN.get(ftype, ())), "entities", "citations",
                         *LATER_COLUMNS, *(name for name in own if name in LATER_OWN.get(ftype, ()))]
                 for ftype, own in TYPED_FIELDS.items()}


def typed(row, as_of=None):
    """A fact row in its typed shape (``MeetingSchema``…: the type's own fields at top level)."""
    fid, ftype = row["id"], row["type"]
    links = {"self": TYPED_LINK[ftype] + fid, "fact": "/v1/facts/" + fid, "history": history_link(fid)}
    fact = fact_values(row, BASE_KEYS, links, as_of)
    attributes = loads(row["attributes"])
    for name in TYPED_FIELDS[ftype]:
        if name in attributes:
            fact[name] = attributes[name]
    return fact
