"""/v1/search, /v1/entities?q= and fact lists with q= through the Tantivy index.

The index is opened (unpacked from the database into a per-machine cache) and queries are
built by :mod:`api.search.index`; this module runs them for the resources: the hits of
``/v1/search`` with their snippets (:func:`search_rows`, :func:`snippet`), the entities whose
name or aliases match (:func:`entity_ids`) and the fact lists whose every filter the index holds
(:func:`answers`, :func:`fact_rows`). Each is refused past the query time budget, as an SQL query
is (:func:`~api.search.index.within_budget`).
"""
import re
import time

import tantivy

from factmodel.facts import FACT_COLUMNS
from factmodel.search_format import SEARCH_KINDS

from ..http.pagination import after
from .index import _ANALYZER, within_budget, words

# -- /v1/search and /v1/entities?q= through the index (hooks in api/resources/search.py,
# api/queries/catalog.py)
CURSOR_SCOPE = "search:index"
SNIPPET_TOKENS = 16
SNIPPET_BLOCK = 4000  # characters read at a time from a long text
SNIPPET_SCAN = 16000  # characters read at least, when the query's words are not all found together
_TOKEN = re.compile(r"[^\W_]+")


def _scan(text, tokens, cache):
    """Word spans of ``text`` and ``{position: query token index}`` of the matching words.

    A long text (a source's) is read in blocks, and reading stops one block after a window
    showing every query token was found (the snippet is the earliest best window anyway), or
    past :data:`SNIPPET_SCAN` characters once some match was found: the best window of that
    part is shown then."""
    spans, hits, start, full_at = [], {}, 0, None
    while start < len(text) and (full_at is None or len(spans) < full_at + 2 * SNIPPET_TOKENS) and not (
            hits and start >= SNIPPET_SCAN and (not spans or max(hits) + SNIPPET_TOKENS < len(spans))):
        stop = text.find(" ", start + SNIPPET_BLOCK) if len(text) - start > 2 * SNIPPET_BLOCK else -1
        stop = len(text) if stop < 0 else stop
        block = [m.span() for m in _TOKEN.finditer(text, start, stop)]
        folded = _ANALYZER.analyze(text[start:stop])
        if len(folded) != len(block):  # word boundaries differ (rare scripts, huge words): one by one
            folded = [cache.get(text[a:b]) or cache.setdefault(text[a:b], "".join(_ANALYZER.analyze(text[a:b])))
                      for a, b in block]
        for pos, word in enumerate(folded, len(spans)):
            for n, token in enumerate(tokens):
                if word.startswith(token):
                    hits[pos] = n
                    break
        spans.extend(block)
        start = stop
        if full_at is None and len(set(hits.values())) == len(tokens):
            score, at = _best_window(list(hits), hits)
            if score >= 1000 * len(tokens):
                full_at = at
    more = start < len(text) and _TOKEN.search(text, start) is not None
    return spans, hits, more


def _best_window(positions, hits):
    """(score, start) of the window of SNIPPET_TOKENS words showing the most distinct query
    tokens, then the most matches; the earliest such."""
    best, seen, j = (0, 0), {}, 0
    for i, start in enumerate(positions):
        while j < len(positions) and positions[j] < start + SNIPPET_TOKENS:
            seen[hits[positions[j]]] = seen.get(hits[positions[j]], 0) + 1
            j += 1
        score = 1000 * len(seen) + (j - i)
        if score > best[0]:
            best = (score, start)
        n = hits[start]
        seen[n] -= 1
        if not seen[n]:
            del seen[n]
    return best


def snippet(title, body, tokens, names=""):
    """``title``, ``body`` or ``names`` (a fact's entity names), whichever shows more of ``tokens`` (the
    first on a tie; the names only when they show more distinct tokens), cut to a window of
    :data:`SNIPPET_TOKENS` words around the matches, each match in ``<mark>…</mark>``, ``…``
    where text was cut (as FTS5's ``snippet(search_fts, -1, '<mark>', '</mark>', '…', 16)``)."""
    cache, best = {}, None
    for text in (title, body, names) if names else (title, body):
        if text is names and best[0] >= 1000 * len(tokens):  # the own text shows every word
            break
        spans, hits, more = _scan(text, tokens, cache)
        score, start = _best_window(list(hits), hits)
        if text is names:  # the names only when they show more of the words than the fact's own text
            score -= score % 1000
        if best is None or score > best[0]:
            if hits:  # centre the matches in the window
                last = max(p for p in hits if start <= p < start + SNIPPET_TOKENS)
                start -= (SNIPPET_TOKENS - (last - start + 1)) // 2
            start = max(0, min(start, len(spans) - SNIPPET_TOKENS))
            best = (score, text, spans, hits, start, more)
    _, text, spans, hits, start, more = best
    if not spans:
        return text
    end = min(len(spans), start + SNIPPET_TOKENS)
    cut = end < len(spans) or more
    out = ["…" if start > 0 else text[:spans[0][0]]]
    for pos in range(start, end):
        a, b = spans[pos]
        out.append(f"<mark>{text[a:b]}</mark>" if pos in hits else text[a:b])
        out.append(text[b:spans[pos + 1][0]] if pos + 1 < end else ("…" if cut else text[b:]))
    return "".join(out)


def search_rows(db, index, args):
    """The page of ``/v1/search`` for the parsed ``args``: ``limit + 1`` rows shaped as the
    FTS5 query gives them, plus each row's ``offset`` in the ranking (the cursor)."""
    offset = (after(CURSOR_SCOPE, args, 1) or [0])[0]
    if not isinstance(offset, int) or offset < 0:
        offset = 0
    started = time.monotonic()
    tokens = words(args["q"])
    # unnamed entities ("the reports") are no answer to a search (as in api/queries/catalog.py)
    query = index.query(tokens, args.get("kind") or SEARCH_KINDS)
    hits = index.hits(query, args["limit"] + 1, offset) if query is not None else []
    within_budget(db, started)
    if not hits:
        return []
    found = {row["id"]: row for row in db.all(
        f"SELECT id, kind, ref_id, title, body, names FROM search WHERE id IN ({', '.join('?' * len(hits))})",
        [sid for _, sid in hits])}
    rows = []
    for n, (score, sid) in enumerate(hits):
        row = dict(found[sid])
        row["rank"], row["offset"] = -score, offset + n + 1
        if n < args["limit"]:  # snippets for the hits shown only
            row["snippet"] = snippet(row["title"], row["body"], tokens, row["names"])
        rows.append(row)
    return rows


def entity_ids(db, index, q):
    """Ids in ``search`` of the entities whose name or aliases match ``q`` (a few thousand at most)."""
    started = time.monotonic()
    query = index.query(words(q), names=True)  # the name fields: entities alone have them
    ids = index.all_ids(query) if query is not None else []
    within_budget(db, started)
    return ids


# -- fact lists with q= through the index (hook in api/listing.py) --------------------------------
# The index holds, for each fact, its place in list order (``sort``: the rank in ``ORDER BY
# sort_date, id``, sort_date being span_start) and the fields of the filters it answers exactly
# as api.queries.fact_list.FactQuery does. INDEXED names those fields of api.filters.FactFilters:
# a list with any other field set is answered by SQLite + FTS5 (fail closed: a new filter is
# correct before the index learns it).
INDEXED = frozenset({"types", "statuses", "roles", "entities", "sources", "kinds", "window", "published_by", "text"})


def _day(iso):
    return int(iso[:4]) * 10000 + int(iso[5:7]) * 100 + int(iso[8:10])


def answers(filters):
    """Whether the index answers the fact list of these :class:`~api.filters.FactFilters` exactly."""
    # a window as known by an as_of day may be narrower than the spans indexed (a state observed
    # again: fact_extents): SQLite answers it
    return filters.text is not None and INDEXED.issuperset(filters.set_fields()) and not (
        filters.window and filters.published_by)


def index_clauses(index, filters):
    """The Tantivy clauses (all must hold) of :class:`~api.filters.FactFilters` ``filters``: the
    words of ``text``, then one per field of :data:`INDEXED` set; None when ``text`` has no word."""
    f = filters
    Q, must, should, schema = tantivy.Query, tantivy.Occur.Must, tantivy.Occur.Should, index.schema
    base = index.query(words(f.text), ["fact"])
    if base is None:
        return None
    clauses = [(must, base)]

    def any_of(field, values):
        clauses.append((must, Q.boolean_query([(should, Q.term_query(schema, field, v)) for v in values])))

    def within(field, low=0, high=2**63):
        clauses.append((must, Q.range_query(schema, field, tantivy.FieldType.Unsigned, low, high, True, True)))

    if f.types:
        any_of("type", f.types)
    if f.statuses:
        any_of("status", f.statuses)
    for role, eid in f.roles:
        any_of("role", [f"{role}:{eid}"])
    for eid in dict.fromkeys(f.entities):
        any_of("entity", [eid])
    for sid in f.sources:
        any_of("source", [sid])
    if f.kinds:
        any_of("fact_kind", [f"{f.kinds[0]}:{k}" for k in f.kinds[1]])
    start, end = f.window or (None, None)
    if start is not None:  # the span overlaps the window: span_end >= its start, span_start <= its end
        within("span_end", low=_day(start))
    if end is not None:
        within("span_start", high=_day(end))
    if f.published_by:
        within("first_published", high=_day(f.published_by))
    return clauses


def fact_rows(db, index, filters, descending, after_key, limit):
    """``limit`` rows of the fact list of :class:`~api.filters.FactFilters` ``filters`` (with a
    ``text``), in list order (newest first when ``descending``) after the cursor key
    ``after_key`` (``[sort_date, id]``), or ``None`` if SQLite must answer instead."""
    if not answers(filters):
        return None
    started = time.monotonic()
    clauses = index_clauses(index, filters)
    if clauses is None:
        return []
    Q, must, schema = tantivy.Query, tantivy.Occur.Must, index.schema
    if after_key is not None:
        row = db.one("SELECT s.id, f.sort_date FROM search s JOIN facts f ON f.id = s.ref_id "
                     "WHERE s.kind = 'fact' AND s.ref_id = ?", (str(after_key[1]),))
        if row is None or row[1] != str(after_key[0]):  # not a fact of this dataset: SQLite finds its place
            return None
        found = index.searcher.search(Q.term_query(schema, "id", row[0]), 1, count=False).hits
        (place,) = index.searcher.fast_field_values("sort", [found[0][1]])
        if descending:
            clauses.append((must, Q.range_query(schema, "sort", tantivy.FieldType.Unsigned, 0, place, True, False)))
        else:
            clauses.append((must, Q.range_query(schema, "sort", tantivy.FieldType.Unsigned, place, 2**63, False, True)))
    result = index.searcher.search(Q.boolean_query(clauses), limit, count=False, order_by_field="sort",
                                   order=tantivy.Order.Desc if descending else tantivy.Order.Asc)
    addresses = [address for _, address in result.hits]
    within_budget(db, started)
    if not addresses:
        return []
    ids = index.searcher.fast_field_values("id", addresses)
    rows = {row["sid"]: row for row in db.all(
        f"SELECT {FACT_COLUMNS}, s.id AS sid FROM search s JOIN facts f ON f.id = s.ref_id "
        f"WHERE s.id IN ({', '.join('?' * len(ids))})", ids)}
    return [rows[sid] for sid in ids]
