"""The seeds the tests run on (``conftest.SEEDS``), read with plain PyYAML, independently of
``kb``: what the API must answer is computed from here, so tests hold whatever articles a
curator adds (README "Adding an article") instead of pinning today's counts and ids.

The rules below are the documented contract, written out again on purpose rather than
imported from ``kb``/``api``: partial dates are intervals (README "Fact conventions"), a fact is
known ``as_of`` a day when one of its sources was published by then, lists sort by
``(date start, id)`` with undated facts first (README "Conventions"), and each type's entity
fields carry these roles (the typed collections' filters).
"""
import calendar
import datetime as dt
from functools import lru_cache

import yaml

from conftest import SEEDS

# type -> [(field, role)]: which entity a typed filter (participant=, country=, …) looks at
ROLES = {
    "meeting": [("participants", "participant"), ("location", "location")],
    "troop_deployment": [("country", "country"), ("location", "location"), ("supporting", "supporting")],
    "lease": [("lessee", "lessee"), ("lessor", "lessor"), ("asset", "asset")],
    "event": [("actors", "actor"), ("targets", "target"), ("location", "location")],
    "statement": [("speaker", "speaker"), ("about", "about")],
    "position": [("holder", "holder"), ("organization", "organization")],
}
PATHS = {"meetings": "meeting", "troop-deployments": "troop_deployment", "leases": "lease", "events": "event",
         "statements": "statement", "positions": "position"}


def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def sources():
    """id -> the source's YAML (``published`` as a string) plus ``text``, the .txt beside it."""
    out = {}
    for path in sorted((SEEDS / "sources").glob("*.yaml")):
        doc = _load(path)
        out[doc["id"]] = {**doc, "published": str(doc["published"]),
                          "text": path.with_suffix(".txt").read_text(encoding="utf-8")}
    return out


@lru_cache(maxsize=None)
def entities():
    out = {}
    for path in sorted((SEEDS / "entities").glob("*.yaml")):
        for entity in _load(path)["entities"]:
            out[entity["id"]] = entity
    return out


@lru_cache(maxsize=None)
def facts():
    """id -> fact, as written in ``facts/**/*.yaml`` (dates as strings)."""
    out = {}
    for path in sorted((SEEDS / "facts").rglob("*.yaml")):
        for fact in (_load(path) or {}).get("facts") or []:
            fact = dict(fact)
            fact["date"] = None if fact.get("date") is None else str(fact["date"])
            out[fact["id"]] = fact
    return out


def interval(partial):
    """``2020`` -> (2020-01-01, 2020-12-31); ``2020-02`` -> (2020-02-01, 2020-02-29); a day is itself."""
    parts = [int(p) for p in partial.split("-")]
    if len(parts) == 3:
        return partial, partial
    if len(parts) == 2:
        last = calendar.monthrange(*parts)[1]
        return f"{partial}-01", f"{partial}-{last:02d}"
    return f"{partial}-01-01", f"{partial}-12-31"


def day_before(day):
    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


def sort_key(fact):
    """The documented list order: by date (a partial date by its first day), undated first, then id."""
    return (interval(fact["date"])[0] if fact.get("date") else "", fact["id"])


def ordered(items, descending=False):
    return sorted(items, key=sort_key, reverse=descending)


def first_published(fact):
    return min(sources()[c["source"]]["published"] for c in fact["citations"])


def known_as_of(as_of):
    """Ids of the facts cited by a source published on or before ``as_of`` (a partial date)."""
    last = interval(as_of)[1]
    return {fid for fid, fact in facts().items() if first_published(fact) <= last}


def roles(fact):
    """{(entity id, role)} the fact involves."""
    out = set()
    for field, role in ROLES[fact["type"]]:
        value = fact.get(field)
        for ref in (value if isinstance(value, list) else [value]):
            if ref is not None:
                out.add((ref, role))
    return out


def cites(fact, source_id):
    return any(c["source"] == source_id for c in fact["citations"])
