"""Full-text queries through the Tantivy index stored in the database file.

``kb build`` (``kb/search_index.py``) writes the index files into the table
``search_index_files`` of the database and names them in ``meta`` by their SHA-256. A
:class:`~api.db.Dataset` asks :func:`open_index` for its index on the first search; the
files are unpacked once per machine into ``KB_INDEX_CACHE/<digest>/`` (a scratch directory
renamed into place, so a half-written copy is never opened) and opened read-only. The index
therefore always belongs to the very database file being served: the live swap (a new inode
at ``KB_DB``) brings its own. A database without an index (an older build) is searched with
FTS5 as before (:func:`open_index` returns ``None``).

Semantics, as with FTS5: every word must match, each as a prefix of a word of the text, case-
and diacritic-insensitive. A word's prefix is expanded to the terms of the index that start
with it. The word itself scores BM25 (titles weigh 10, bodies 1, as the FTS5 ranking did); a
longer word it begins adds a small constant (also 10 times more in a title), so whole-word
matches rank first and a word being typed still finds everything it begins. Past
:data:`EXPANSION` such terms, the rest match through one constant-score prefix query. Hits are
ordered by score, ties by ``search.id`` (the index is one segment in id order, see
``kb/search_index.py``); pages are offsets into that order, which is fixed for a dataset.
"""
import hashlib
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

import tantivy

from factmodel.dates import date_range

from .pagination import after
from .queries.fact_list import FACT_COLUMNS

# -- the contract with kb/search_index.py (api never imports kb) -------------------------------
FORMAT = "4"
ANALYZER = "kb_fold_v2"
# "unnamed": entities of type unnamed, never a hit of /v1/search (only /v1/entities?type=unnamed&q=)
KINDS = {"source": 0, "entity": 1, "fact": 2, "unnamed": 3}
SEARCH_KINDS = ("source", "entity", "fact")
FILES_TABLE = "search_index_files"


def analyzer():
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(255))
            .filter(tantivy.Filter.ascii_fold())  # before lowercase: "İ" folds to "I", lowercased "i̇" would not
            .filter(tantivy.Filter.lowercase())
            .build())


EXPANSION = 32
TITLE_BOOST = 10.0
PREFIX_SCORE = 0.1
MAX_WORDS = 20
# Unpacked copies not used for this long are removed when another one is unpacked. Removing
# one in use is harmless: open readers keep their memory maps, a new reader unpacks it again.
CACHE_KEEP_SECONDS = 600
_ANALYZER = analyzer()
_unpack_lock = threading.Lock()
log = logging.getLogger(__name__)


def default_cache_dir():
    return os.path.join(tempfile.gettempdir(), f"syria-kb-index-{os.getuid()}")


def words(text):
    """The distinct index terms of ``text`` (at most :data:`MAX_WORDS` words), in order."""
    tokens = []
    for word in re.findall(r"\w+", text)[:MAX_WORDS]:
        for token in _ANALYZER.analyze(word):
            if token not in tokens:
                tokens.append(token)
    return tokens


class SearchIndex:
    """An opened index: one per :class:`~api.db.Dataset` (so one per thread and dataset)."""

    def __init__(self, path):
        self.index = tantivy.Index.open(str(path))
        self.index.register_tokenizer(ANALYZER, _ANALYZER)
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def query(self, tokens, kinds=None):
        """The query for ``tokens`` (from :func:`words`), or ``None`` if nothing can match."""
        schema, searcher, Q = self.schema, self.searcher, tantivy.Query
        should, must = tantivy.Occur.Should, tantivy.Occur.Must
        clauses = []
        for token in tokens:
            alternatives = []
            for field, boost in (("title", TITLE_BOOST), ("body", 1.0)):
                terms = [term for term, _ in searcher.terms_with_prefix(field, token, limit=EXPANSION + 1)]
                if token in terms or len(terms) > EXPANSION:  # the word itself: BM25
                    q = Q.term_query(schema, field, token)
                    alternatives.append((should, Q.boost_query(q, boost) if boost != 1.0 else q))
                # a longer word it begins: a small constant, so whole words rank first
                for term in terms[:EXPANSION]:
                    if term != token:
                        alternatives.append((should, Q.const_score_query(Q.term_query(schema, field, term),
                                                                         PREFIX_SCORE * boost)))
                if len(terms) > EXPANSION:  # too many to list: the rest match through one prefix query
                    prefix = Q.regex_query(schema, field, re.escape(token) + ".*")
                    alternatives.append((should, Q.const_score_query(prefix, PREFIX_SCORE * boost)))
            if not alternatives:
                return None
            clauses.append((must, Q.boolean_query(alternatives)))
        if not clauses:
            return None
        if kinds:
            clauses.append((must, Q.boolean_query([(should, Q.term_query(schema, "kind", KINDS[k])) for k in kinds])))
        return Q.boolean_query(clauses)

    def hits(self, query, limit, offset=0):
        """``[(score, search id), …]``: ``limit`` hits from ``offset`` in rank order."""
        result = self.searcher.search(query, limit, count=False, offset=offset)
        addresses = [address for _, address in result.hits]
        ids = self.searcher.fast_field_values("id", addresses) if addresses else []
        return [(score, sid) for (score, _), sid in zip(result.hits, ids)]

    def all_ids(self, query):
        """Every matching search id (for bounded sets, such as the entities)."""
        count = self.searcher.search(query, 1, count=True).count
        return [sid for _, sid in self.hits(query, count)] if count else []


def within_budget(db, started):
    """Refuse, like an SQL query over ``KB_QUERY_TIME_LIMIT_MS``, a search that took longer
    (Tantivy cannot be interrupted, so this is checked when it returns)."""
    if time.monotonic() - started > db.time_limit:
        from .db import QueryTimeout  # noqa: PLC0415 (api.db imports this module)

        raise QueryTimeout()


def open_index(conn, meta, cache_dir):
    """The :class:`SearchIndex` stored in the database ``conn`` (``meta``: its meta table), or
    ``None`` when it has none of this format."""
    digest = meta.get("search_index")
    if meta.get("search_index_format") != FORMAT or not digest or not re.fullmatch(r"[0-9a-f]{64}", digest):
        return None
    path = Path(cache_dir) / digest
    try:
        if not (path / "meta.json").exists():
            with _unpack_lock:
                if not (path / "meta.json").exists():
                    _unpack(conn, digest, path)
        os.utime(path)  # in use: see CACHE_KEEP_SECONDS
        return SearchIndex(path)
    except (OSError, ValueError, sqlite3.Error) as exc:  # searched with FTS5 instead, slower but right
        log.error("search index %s of %s unusable, using FTS5: %s", digest[:16], cache_dir, exc)
        return None


def _unpack(conn, digest, path):
    root = path.parent
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if root.stat().st_uid != os.getuid():
        raise PermissionError(f"{root} belongs to another user")
    scratch = Path(tempfile.mkdtemp(prefix=f".{digest[:16]}-", dir=root))
    try:
        check = hashlib.sha256(FORMAT.encode())
        for (name,) in conn.execute(f"SELECT name FROM {FILES_TABLE} ORDER BY name").fetchall():
            if "/" in name or name.startswith("."):
                if name != ".managed.json":
                    raise ValueError(f"unexpected index file name {name!r}")
            (data,) = conn.execute(f"SELECT data FROM {FILES_TABLE} WHERE name = ?", (name,)).fetchone()
            if not isinstance(data, bytes):
                raise ValueError(f"index file {name!r} is not a blob")
            check.update(f"\0{name}\0{len(data)}\0".encode())
            check.update(data)
            (scratch / name).write_bytes(data)
            del data
        if check.hexdigest() != digest:
            raise ValueError("the stored search index does not match its digest")
        try:
            os.rename(scratch, path)
        except OSError:  # another process unpacked it first
            if not (path / "meta.json").exists():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _remove_unused(root, keep=path)


def _remove_unused(root, keep):
    now = time.time()
    for entry in root.iterdir():
        if entry == keep:
            continue
        try:
            stale = now - entry.stat().st_mtime > CACHE_KEEP_SECONDS
        except FileNotFoundError:
            continue
        if stale:
            shutil.rmtree(entry, ignore_errors=True)


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


def snippet(title, body, tokens):
    """``title`` or ``body``, whichever shows more of ``tokens``, cut to a window of
    :data:`SNIPPET_TOKENS` words around the matches, each match in ``<mark>…</mark>``, ``…``
    where text was cut (as FTS5's ``snippet(search_fts, -1, '<mark>', '</mark>', '…', 16)``)."""
    cache, best = {}, None
    for text in (title, body):
        spans, hits, more = _scan(text, tokens, cache)
        score, start = _best_window(list(hits), hits)
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
        f"SELECT id, kind, ref_id, title, body FROM search WHERE id IN ({', '.join('?' * len(hits))})",
        [sid for _, sid in hits])}
    rows = []
    for n, (score, sid) in enumerate(hits):
        row = dict(found[sid])
        row["rank"], row["offset"] = -score, offset + n + 1
        if n < args["limit"]:  # snippets for the hits shown only
            row["snippet"] = snippet(row["title"], row["body"], tokens)
        rows.append(row)
    return rows


def entity_ids(db, index, q):
    """Ids in ``search`` of the entities whose name or aliases match ``q`` (a few thousand at most)."""
    started = time.monotonic()
    query = index.query(words(q), ["entity", "unnamed"])
    ids = index.all_ids(query) if query is not None else []
    within_budget(db, started)
    return ids


# -- fact lists with q= through the index (hook in api/listing.py) --------------------------------
# The index holds, for each fact, its place in list order (``sort``: the rank in ``ORDER BY
# sort_date, id``, sort_date being span_start) and the fields of the filters it answers exactly
# as api.queries.fact_list.FactQuery does: type, status, the event/statement kind, entity, role,
# cited source, the span (``span_start``/``span_end`` for ``from``/``to``: the span overlaps the
# window) and first_published (``as_of``). A list with any other filter (``valid_at``,
# ``attributed_to``, ``related_to``, ``relation``) is answered by SQLite + FTS5.
SQL_ONLY = ("valid_at", "attributed_to", "related_to", "relation")
OPEN_START, OPEN_END = 0, 99991231


def _day(iso):
    return int(iso[:4]) * 10000 + int(iso[5:7]) * 100 + int(iso[8:10])


def answers(args):
    """Whether the index answers the fact list of these parsed ``args`` exactly."""
    return bool(args.get("q")) and not any(args.get(name) for name in SQL_ONLY)


def fact_rows(db, index, args, query, after_key, limit):
    """``limit`` rows of a fact list (``args``: the parsed query string; ``query``: the keyword
    arguments of :class:`~api.queries.fact_list.FactQuery`) filtered by ``q``, in list order after
    the cursor key ``after_key`` (``[sort_date, id]``), or ``None`` if SQLite must answer instead."""
    if not answers(args):
        return None
    started = time.monotonic()
    Q, must, should, schema = tantivy.Query, tantivy.Occur.Must, tantivy.Occur.Should, index.schema
    base = index.query(words(args["q"]), ["fact"])
    if base is None:
        return []
    clauses = [(must, base)]

    def any_of(field, values):
        clauses.append((must, Q.boolean_query([(should, Q.term_query(schema, field, v)) for v in values])))

    def within(field, low=0, high=2**63):
        clauses.append((must, Q.range_query(schema, field, tantivy.FieldType.Unsigned, low, high, True, True)))

    types = list(query.get("types") or ())
    if types:
        any_of("type", types)
    if args.get("status"):
        any_of("status", args["status"])
    for role, eid in query.get("roles") or ():
        any_of("role", [f"{role}:{eid}"])
    for eid in {e for e in [query.get("entity"), *(args.get("entity") or [])] if e}:
        any_of("entity", [eid])
    for sid in {s for s in (query.get("source"), args.get("source")) if s}:
        any_of("source", [sid])
    kind = query.get("kind")
    if kind and kind[1]:
        any_of("fact_kind", [f"{kind[0]}:{k}" for k in kind[1]])
    if args.get("from_"):  # the span overlaps the window: span_end >= its start, span_start <= its end
        within("span_end", low=_day(date_range(args["from_"])[0]))
    if args.get("to"):
        within("span_start", high=_day(date_range(args["to"])[1]))
    if args.get("as_of"):
        within("first_published", high=_day(date_range(args["as_of"])[1]))
    descending = args.get("sort") == "-date"
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
