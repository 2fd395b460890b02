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
import json
from functools import lru_cache

import yaml

from support import ROOT, SEEDS

# the types whose facts are states by default: the schema says so (x-time-kind), as a curator reads it
STATE_TYPES = {name for name, spec in json.loads((ROOT / "schema" / "facts.schema.json").read_text(
    encoding="utf-8"))["$defs"].items() if isinstance(spec, dict) and spec.get("x-time-kind") == "state"}
# the parts of a month beside a month-precision value (docs/methodology.md): first and last day
PARTS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}

# type -> [(field, role)]: which entity a typed filter (participant=, country=, …) looks at
ROLES = {
    "meeting": [("participants", "participant"), ("location", "location")],
    "troop_deployment": [("country", "country"), ("location", "location"), ("supporting", "supporting")],
    "lease": [("lessee", "lessee"), ("lessor", "lessor"), ("asset", "asset")],
    "event": [("actors", "actor"), ("targets", "target"), ("location", "location"), ("about", "about")],
    "statement": [("speaker", "speaker"), ("about", "about")],
    "position": [("holder", "holder"), ("organization", "organization")],
    "count": [("of", "owner"), ("location", "location")],
}
PATHS = {"meetings": "meeting", "troop-deployments": "troop_deployment", "leases": "lease", "events": "event",
         "statements": "statement", "positions": "position", "counts": "count"}


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


def fold(text):
    """A spelling as reconciliation matches it: case, diacritics and hyphens dropped, spaces squeezed."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).replace("-", " ").split())


@lru_cache(maxsize=None)
def spellings():
    """folded name or alias -> the ids of every entity that has it (more than one: shared)."""
    out = {}
    for eid, entity in entities().items():
        for spelling in [entity["name"], *entity.get("aliases", [])]:
            out.setdefault(fold(spelling), set()).add(eid)
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


def interval(partial, part=None):
    """``2020`` -> (2020-01-01, 2020-12-31); ``2020-02`` -> (2020-02-01, 2020-02-29), with ``part``
    ``late`` (2020-02-21, 2020-02-29); a day is itself."""
    parts = [int(p) for p in partial.split("-")]
    if len(parts) == 3:
        return partial, partial
    if len(parts) == 2:
        last = calendar.monthrange(*parts)[1]
        first_day, last_day = PARTS[part] if part else (1, last)
        return f"{partial}-{first_day:02d}", f"{partial}-{min(last_day, last):02d}"
    return f"{partial}-01-01", f"{partial}-12-31"


def latest_observation(fact):
    """A state's latest observation (a citation's ``observed``, docs/methodology.md): its interval,
    or None when no citation dates one (the fact's date is then its only observation)."""
    seen = [interval(str(c["observed"])) for c in fact.get("citations", []) if c.get("observed")]
    return max(seen) if seen else None


def day_before(day):
    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


def time_kind(fact):
    """docs/methodology.md "Time": written, else prediction for predicted facts, state for troop
    deployments, leases, positions and stances, else act."""
    if fact.get("time_kind"):
        return fact["time_kind"]
    if fact["status"] == "predicted":
        return "prediction"
    if fact["type"] in STATE_TYPES or (fact["type"] == "statement" and fact.get("kind") == "stance"):
        return "state"
    return "act"


OPEN_START, OPEN_END = "", "9999-12-31"


def span(fact):
    """(first day or '', last day or '9999-12-31'): the days the sources allow for the fact
    (docs/methodology.md "The rule for from / to"). An act: its date's interval (or its
    not_before/not_after bounds when undated), never later than the earliest citing article; a
    state: valid_from/valid_until, else its observation (the day(s) it is reported true, else
    the earliest citing article); a former state: up to the day before its observation; a
    prediction: its expected time, from when it was made (its date) when not written, open
    ends open."""
    def bound(name, end):
        value = fact.get(name)
        return None if value is None else interval(str(value), fact.get(f"{name}_part"))[end]
    date = interval(fact["date"], fact.get("date_part")) if fact.get("date") else None
    first = first_published(fact)
    not_after = bound("not_after", 1) or first
    observed = date or (first, first)
    kind = time_kind(fact)
    if kind == "act":
        if date:
            return max(date[0], bound("not_before", 0) or ""), min(date[1], not_after)
        return bound("not_before", 0) or OPEN_START, not_after
    if kind == "state" and fact.get("former"):
        return bound("valid_from", 0) or OPEN_START, day_before(observed[0])
    if kind == "state":  # it holds until its latest observation at least (a citation observing it again)
        latest = latest_observation(fact) or observed
        return bound("valid_from", 0) or observed[0], bound("valid_until", 1) or max(observed[1], latest[1])
    made = date[0] if date else bound("not_before", 0)  # an undated prediction: made any time before its article
    return bound("expected_not_before", 0) or made or OPEN_START, bound("expected_not_after", 1) or OPEN_END


def certainly_in(fact, window, first=None):
    """Whether the sources place ``fact`` in ``window`` (``(first day or None, last day or None)``)
    for certain (docs/methodology.md, section 3): an act, every day it may have happened (an
    inferred date does not count: its not_before..not_after does); a prediction, its whole
    expected time; a state, a day it is known to hold (from the latest day it may have started
    to the earliest day it may have ended) or its observation; a former state, never.
    ``first``: the earliest citing article (default: from the seeds)."""
    low, high = window[0] or OPEN_START, window[1] or OPEN_END

    def bound(name, end, default=None):
        value = fact.get(name)
        return default if value is None else interval(str(value), fact.get(f"{name}_part"))[end]
    first = first or first_published(fact)
    date = interval(fact["date"], fact.get("date_part")) if fact.get("date") else None
    kind = time_kind(fact)
    if kind == "act":
        earliest, latest = bound("not_before", 0, OPEN_START), bound("not_after", 1, first)
        if date and not fact.get("date_inferred"):
            earliest, latest = max(date[0], earliest), min(date[1], latest)
        return low <= earliest and latest <= high
    if kind == "prediction":
        made = date[0] if date else bound("not_before", 0)
        return low <= bound("expected_not_before", 0, made or OPEN_START) and \
            bound("expected_not_after", 1, OPEN_END) <= high
    if fact.get("former"):
        return False
    observed = date or (first, first)
    latest = latest_observation(fact) or observed  # continued from the first observation to the latest
    latest_start = bound("valid_from", 1, observed[1])
    earliest_end = bound("valid_until", 0, max(observed[0], latest[0]))
    held = latest_start <= earliest_end and latest_start <= high and earliest_end >= low
    return held or (not fact.get("date_inferred") and low <= observed[0] and observed[1] <= high)


def possibly_in(fact, window):
    """Whether the fact's span (the days its sources allow) overlaps ``window``."""
    start, end = span(fact)
    return (window[0] is None or end >= window[0]) and (window[1] is None or start <= window[1])


def sort_key(fact):
    """The documented list order: by the start of the span (open starts first), then id."""
    return (span(fact)[0], fact["id"])


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
