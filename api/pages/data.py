"""What the pages read from the database: the same rows the JSON items are made of."""
import functools
import sqlite3

from flask import abort, g

from factmodel.facts import FACT_COLUMNS, generic

from ..queries.changes import history_rows, renamed_to
from ..queries.releases import gone_or_404, redirected_to
from ..shapes.catalog import entity as served_entity
from ..shapes.changes import versions
from . import passages

SOURCE_PAGE_COLUMNS = "id, title, publisher, published, url, language, note, fact_count, republish"


class Moved(Exception):
    """A former id: the page lives at ``new_id``'s address."""

    def __init__(self, new_id):
        super().__init__(new_id)
        self.new_id = new_id


def _moved(kind, old_id):
    new_id = redirected_to(kind, old_id)
    if new_id is not None:
        raise Moved(new_id)


def fact(fact_id):
    """The fact as ``/v1/facts/{id}`` serves it; :class:`Moved` for a former id, else 410 or 404."""
    row = g.db.one(f"SELECT {FACT_COLUMNS} FROM facts f WHERE f.id = ?", (fact_id,))
    if row is None:
        _moved("fact", fact_id)
        gone_or_404("fact", fact_id, f"No fact with id {fact_id!r}.")
    return generic(row)


def entity(entity_id):
    row = g.db.one("SELECT * FROM entities WHERE id = ?", (entity_id,))
    if row is None:
        _moved("entity", entity_id)
        gone_or_404("entity", entity_id, f"No entity with id {entity_id!r}.")
    return served_entity(row)


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
    return {row["id"]: served_entity(row) for row in g.db.all(f"SELECT * FROM entities WHERE id IN ({_in(ids)})", ids)}


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


def release(release_id):
    row = g.db.one("SELECT seq, id, built_at, commit_sha FROM releases WHERE id = ?", (release_id,))
    if row is None:
        abort(404, f"No release with id {release_id!r}.")
    return dict(row)


def history(fact_id):
    """The fact's versions (:func:`api.shapes.changes.versions`), oldest first, each with its
    release's ``seq``; a 404 when no release ever had it."""
    rows = history_rows(fact_id)
    if not rows:
        abort(404, f"No fact with id {fact_id!r} in any release.")
    out = versions(rows)
    ids = sorted({v["release"] for v in out})
    seqs = dict(g.db.all(f"SELECT id, seq FROM releases WHERE id IN ({_in(ids)})", ids))
    return [{**v, "seq": seqs[v["release"]]} for v in out]


def removal_reason(fact_id):
    try:
        row = g.db.one("SELECT reason FROM removals WHERE kind = 'fact' AND id = ?", (fact_id,))
    except sqlite3.OperationalError:  # a database built before removals existed
        return None
    return row["reason"] if row is not None else None


def current_id(fact_id):
    """The id the fact has now (itself, or the id a rename gave it), or None when it is gone."""
    if g.db.one("SELECT 1 FROM facts WHERE id = ?", (fact_id,)) is not None:
        return fact_id
    return renamed_to(fact_id)


def publisher(source_id):
    row = g.db.one("SELECT publisher FROM sources WHERE id = ?", (source_id,))
    return row["publisher"] if row is not None else source_id


def recent_changes(limit=15):
    """The newest changes of the change feed (``/v1/changes``), newest release first."""
    try:
        return g.db.all("SELECT c.release, c.kind, c.id, c.op, c.new_id, r.built_at FROM changes c "
                        "JOIN releases r ON r.seq = c.seq ORDER BY c.seq DESC, c.kind, c.id LIMIT ?", (limit,))
    except sqlite3.OperationalError:  # a database built before releases existed
        return []
