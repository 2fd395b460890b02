"""What the pages read from the database: the same rows the JSON items are made of."""
import functools

import orjson
from flask import g

from factmodel.facts import FACT_COLUMNS, generic

from ..queries.releases import gone_or_404
from . import passages

SOURCE_PAGE_COLUMNS = "id, title, publisher, published, url, language, note, fact_count, republish"


class Moved(Exception):
    """A former id: the page lives at ``new_id``'s address."""

    def __init__(self, new_id):
        super().__init__(new_id)
        self.new_id = new_id


def _moved(kind, old_id):
    row = g.db.one("SELECT new_id FROM redirects WHERE old_id = ? AND kind = ?", (old_id, kind))
    if row is not None:
        raise Moved(row["new_id"])


def fact(fact_id):
    """The fact as ``/v1/facts/{id}`` serves it; :class:`Moved` for a former id, else 410 or 404."""
    row = g.db.one(f"SELECT {FACT_COLUMNS} FROM facts f WHERE f.id = ?", (fact_id,))
    if row is None:
        _moved("fact", fact_id)
        gone_or_404("fact", fact_id, f"No fact with id {fact_id!r}.")
    return generic(row)


def _entity(row):
    return {"id": row["id"], "type": row["type"], "name": row["name"], "aliases": orjson.loads(row["aliases"]),
            "description": row["description"], "fact_count": row["fact_count"]}


def entity(entity_id):
    row = g.db.one("SELECT * FROM entities WHERE id = ?", (entity_id,))
    if row is None:
        _moved("entity", entity_id)
        gone_or_404("entity", entity_id, f"No entity with id {entity_id!r}.")
    return _entity(row)


def source(source_id):
    row = g.db.one(f"SELECT {SOURCE_PAGE_COLUMNS} FROM sources WHERE id = ?", (source_id,))
    if row is None:
        gone_or_404("source", source_id, f"No source with id {source_id!r}.")
    return dict(row)


def _in(ids):
    return ", ".join("?" * len(ids))


def entities(ids):
    """id -> entity of each of ``ids`` that exists."""
    ids = sorted(set(ids))
    return {row["id"]: _entity(row) for row in g.db.all(f"SELECT * FROM entities WHERE id IN ({_in(ids)})", ids)}


def sources(ids):
    ids = sorted(set(ids))
    return {row["id"]: dict(row) for row in
            g.db.all(f"SELECT {SOURCE_PAGE_COLUMNS} FROM sources WHERE id IN ({_in(ids)})", ids)}


@functools.lru_cache(maxsize=64)
def _split(version, source_id):
    text = g.db.one("SELECT text FROM sources WHERE id = ?", (source_id,))["text"]
    spans = passages.sentences(text)
    return text, spans, [start for start, _ in spans]


def text_and_sentences(source_id):
    """A source's text, its sentences (:func:`passages.sentences`) and their starts: split once per dataset
    version (the key: the same version is the same text) and kept, for 64 articles per process,
    for the next page that quotes the same article."""
    return _split(g.db.version, source_id)


def summaries(ids):
    """id -> summary of each of the facts ``ids``."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    return {row["id"]: row["summary"] for row in g.db.all(f"SELECT id, summary FROM facts WHERE id IN ({_in(ids)})", ids)}


def citations_of(source_id):
    """Every citation of the source in article order, with its fact's summary."""
    return g.db.all("SELECT c.fact_id, c.ord, c.quote, c.start, c.end, f.summary FROM citations c "
                    "JOIN facts f ON f.id = c.fact_id WHERE c.source_id = ? ORDER BY c.start, c.end, c.fact_id, c.ord",
                    (source_id,))


def entity_facts(entity_id):
    """The facts ``/v1/entities/{id}/facts`` lists (any role, attributed too), in its order
    (``sort_date``, id), each with the entity's roles in it."""
    rows = g.db.all("SELECT f.id, f.summary, f.type, f.date, f.sort_date, group_concat(d.role, ',') AS roles "
                    "FROM fact_entities d JOIN facts f ON f.id = d.fact_id WHERE d.entity_id = ? "
                    "GROUP BY f.id ORDER BY f.sort_date, f.id", (entity_id,))
    return [{**dict(row), "roles": sorted(set(row["roles"].split(",")))} for row in rows]
