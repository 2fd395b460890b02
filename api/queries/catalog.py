"""SQL of the catalog: entities and sources (lists by id, items) and the ranked search."""
import orjson
from flask import g, request

from ..search import queries as search_queries
from ..search.index import _ANALYZER, words
from .facts import permanent_redirect
from .releases import gone_or_404, redirected_to

# through the Tantivy index (api/search/queries.py): the ids in ``search`` of the matching entities
ENTITY_SEARCH_INDEXED = "id IN (SELECT ref_id FROM search WHERE id IN (SELECT value FROM json_each(?)))"
ENTITY_SEARCH = ("id IN (SELECT s.ref_id FROM search_fts JOIN search s ON s.id = search_fts.rowid "
                 "WHERE search_fts MATCH ? AND s.kind = 'entity')")
SOURCE_COLUMNS = "id, title, publisher, published, url, language, note, fact_count"


def row_or_404(table, row_id, label):
    """The row of ``table`` with this id, or a 404 problem naming what was not found."""
    row = g.db.one(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
    if row is None:
        gone_or_404(label, row_id, f"No {label} with id {row_id!r}.")  # 410 when a release removed it
    return row


def entity_or_404(entity_id):
    """The entity's row; a former id answers 308 to the same path under the current id; else 404."""
    row = g.db.one("SELECT * FROM entities WHERE id = ?", (entity_id,))
    if row is None:
        new_id = redirected_to("entity", entity_id)
        if new_id is not None:
            segments = request.path.split("/")  # ['', 'v1', 'entities', id, ...]
            segments[3] = new_id
            permanent_redirect("/".join(segments))
        gone_or_404("entity", entity_id, f"No entity with id {entity_id!r}.")  # 410 when a release removed it
    return row


def source_or_404(source_id):
    return row_or_404("sources", source_id, "source")


def entity_rows(limit, *, type=None, match=None, q=None, after=None):
    """Entities by id: of ``type`` (any but ``unnamed`` when not given), whose names match the
    FTS5 query ``match`` (through the search index when the database has one: ``q``, the text
    ``match`` was made of), after the id ``after``."""
    where, params = [], []
    if type:
        where.append("type = ?")
        params.append(type)
    else:
        where.append("type != 'unnamed'")
    if match:
        index = g.db.search_index() if q is not None else None
        if index is not None:  # -- search index hook
            where.append(ENTITY_SEARCH_INDEXED)
            params.append(orjson.dumps(search_queries.entity_ids(g.db, index, q)).decode())
        else:
            where.append(ENTITY_SEARCH)
            params.append(match)
    if after is not None:
        where.append("id > ?")
        params.append(after)
    sql = "SELECT * FROM entities" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id LIMIT ?"
    return g.db.all(sql, params + [limit])


def entity_names(ids):
    """``{id: {"name", "type", "aliases"}}`` of the entities ``ids``, read in one query."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = g.db.all(f"SELECT id, name, type, aliases FROM entities WHERE id IN ({', '.join('?' * len(ids))})", ids)
    return {r["id"]: {"name": r["name"], "type": r["type"], "aliases": orjson.loads(r["aliases"])} for r in rows}


def source_rows(limit, *, after=None):
    """Sources by id (without their text), after the id ``after``."""
    where, params = "", []
    if after is not None:
        where, params = " WHERE id > ?", [after]
    return g.db.all(f"SELECT {SOURCE_COLUMNS} FROM sources{where} ORDER BY id LIMIT ?", params + [limit])


def search_rows(match, limit, *, kinds=None, after=None, snippets_for=None):
    """Hits of the FTS5 query ``match`` by rank (BM25, titles weigh more, entity names nothing) then id, as dicts,
    with a ``snippet`` for the first ``snippets_for`` of them."""
    # unnamed entities ("the reports") are no answer to a search: they are served by id only
    where, params = ["search_fts MATCH ?", "NOT (s.kind = 'entity' AND s.ref_id IN "
                     "(SELECT id FROM entities WHERE type = 'unnamed'))"], [match]
    if kinds:
        where.append(f"s.kind IN ({', '.join('?' * len(kinds))})")
        params.extend(kinds)
    # titles weigh 10, bodies 1, the names of a fact's entities 0: found through them alone, a fact
    # scores 0 and comes after every hit found in its own text (bm25 < 0 there)
    inner = ("SELECT s.id, s.kind, s.ref_id, s.title, bm25(search_fts, 10.0, 1.0, 0.0) AS rank "
             "FROM search_fts JOIN search s ON s.id = search_fts.rowid WHERE " + " AND ".join(where))
    sql = f"SELECT * FROM ({inner})"
    if after is not None:
        sql += " WHERE (rank, id) > (?, ?)"
        params.extend(after)
    sql += " ORDER BY rank, id LIMIT ?"
    rows = [dict(row) for row in g.db.all(sql, params + [limit])]
    # Snippets only for the hits on the page: SQLite would compute one for every match
    # before sorting, and a snippet tokenizes the whole text (a source's is long). The page
    # is joined to one pass over the matches: `rowid IN (…)` would run the MATCH once per id.
    shown = rows[:snippets_for]
    if shown:
        snippets = dict(g.db.all(
            f"WITH page(id) AS (VALUES {', '.join('(?)' for _ in shown)}) "
            "SELECT search_fts.rowid, snippet(search_fts, -1, '<mark>', '</mark>', '…', 16) "
            "FROM search_fts CROSS JOIN page ON page.id = search_fts.rowid WHERE search_fts MATCH ?",
            [*(r["id"] for r in shown), match]))
        for row in shown:
            row["snippet"] = snippets[row["id"]]
    return rows


def set_matched_entities(rows, q):
    """Give each hit of ``rows`` (search rows: ``id`` in ``search``, ``kind``) its
    ``matched_entities``: for a fact, the named entities it involves (in its order) whose name or
    aliases hold a word of ``q`` that the fact's own text (summary, statement text, quotes) does not
    hold, so the search found it through them; ``[]`` for any other hit, and for a fact whose own
    text holds every word. Words are cut and folded by the index's analyzer
    (factmodel/search_text.py) and match as prefixes, as the search does."""
    for row in rows:
        row["matched_entities"] = []
    facts = {row["id"]: row for row in rows if row["kind"] == "fact"}
    tokens = words(q)
    if not facts or not tokens:
        return
    texts = [(sid, row["title"], row["body"]) for sid, row in facts.items() if "body" in row] or g.db.all(
        f"SELECT id, title, body FROM search WHERE id IN ({', '.join('?' * len(facts))})", list(facts))
    missing = {}  # search id -> the words its own text does not hold
    for sid, title, body in texts:
        own = set(_ANALYZER.analyze(f"{title} {body}"))
        absent = [t for t in tokens if t not in own and not any(w.startswith(t) for w in own)]
        if absent:
            missing[sid] = absent
    if not missing:
        return
    folded = {}  # entity id -> the words of its name and aliases
    for sid, eid, name, aliases in g.db.all(
            "SELECT s.id, e.id, e.name, e.aliases FROM search s JOIN facts f ON f.id = s.ref_id, json_each(f.entities) j "
            "JOIN entities e ON e.id = json_extract(j.value, '$.id') "
            f"WHERE s.id IN ({', '.join('?' * len(missing))}) AND e.type != 'unnamed' ORDER BY s.id, j.key",
            list(missing)):
        if eid not in folded:
            folded[eid] = _ANALYZER.analyze(" ".join([name, *orjson.loads(aliases)]))
        matched = facts[sid]["matched_entities"]
        if eid not in matched and any(w.startswith(t) for t in missing[sid] for w in folded[eid]):
            matched.append(eid)
