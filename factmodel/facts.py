"""The served representation of a fact, shared by the build (``kb/artifacts.py`` writes every
fact in it to the dump) and the API (``api/shapes/fact_dumpers.py`` serves it): the columns a
fact row is read with, the keys of the common shape in their order, and :func:`generic`, a row
to that dict for orjson to encode. ``tests/api/test_fast_json.py`` checks that the keys are the
documented schema's (``api.shapes.facts.FactSchema``) and the dicts its dump."""
import orjson

from .corroboration import conflicts_with, voice
from .observations import time_as_of
from .vocabulary import FACT_TYPES

# the columns of ``facts f`` a fact is served from
# (and what a date window needs to mark it a certain or a possible match: factmodel/certainty.py)
FACT_COLUMNS = ("f.id, f.type, f.summary, f.date, f.date_precision, f.time, f.status, f.note, "
                "f.sort_date, f.attributes, f.entities, f.citations, f.relations, "
                "f.whole_start, f.whole_end, f.held_start, f.held_end")
# the keys of every fact shape, in order; the common shape adds ``attributes`` (FactSchema)
BASE_KEYS = ("id", "type", "summary", "date", "date_precision", "time", "status", "note", "entities", "citations",
             "relations", "independent_sources", "conflicts_with", "voice", "links", "corrected_by")
GENERIC_KEYS = (*BASE_KEYS, "attributes")
# keys the schemas document that only some lists add (api/listing.py): a window's ``time_match``,
# an entity timeline's ``roles``
OPTIONAL_KEYS = ("time_match", "roles")
# row columns holding JSON text; every other key but ``links`` is a column as it is
JSON_COLUMNS = frozenset(["time", "entities", "citations", "relations", "attributes"])
COMPUTED = frozenset(["independent_sources", "conflicts_with", "voice", "corrected_by"])  # from the citations and relations
TYPED_LINK = {name: f"/v1/{ftype.path}/" for name, ftype in FACT_TYPES.items()}

loads = orjson.loads


def _value(row, key):
    return loads(row[key]) if key in JSON_COLUMNS else row[key]


def fact_values(row, keys, links, as_of):
    """The dict of ``keys`` of a fact row; ``links`` as given; with ``as_of`` (an ISO day), only
    the citations of sources published on or before it (and the corroboration they give)."""
    fact = {key: links if key == "links" else None if key in COMPUTED else _value(row, key) for key in keys}
    if as_of is not None:
        fact["citations"] = [c for c in fact["citations"] if c["published"] <= as_of]
        if "time" in fact:  # a state's later observations too (factmodel/observations.py)
            fact["time"] = time_as_of(fact["time"], fact["citations"])
    # each citation carries the origin and voice the build gave it (factmodel/corroboration.py)
    fact["independent_sources"] = len({c["origin"] for c in fact["citations"]})
    fact["conflicts_with"] = conflicts_with(fact["relations"])
    fact["voice"] = voice(fact["citations"])
    fact["corrected_by"] = corrected_by(fact["relations"])
    return fact


def corrected_by(relations):
    """The ids of the facts that correct this one (its incoming ``corrects`` relations), in their
    order: a fact whose value a later fact says was wrong (docs/methodology.md, section 6)."""
    return [r["fact"] for r in relations if r["type"] == "corrects" and r["direction"] == "incoming"]


def generic(row, as_of=None):
    """A fact row in the common shape (``FactSchema``); with ``as_of`` (an ISO day), only the
    citations of sources published on or before it."""
    fid = row["id"]
    links = {"self": "/v1/facts/" + fid, "typed": TYPED_LINK[row["type"]] + fid, "history": history_link(fid)}
    return fact_values(row, GENERIC_KEYS, links, as_of)


def history_link(fact_id):
    """The fact's history (every version across releases): ``links.history`` of each shape."""
    return "/v1/facts/" + fact_id + "/history"
