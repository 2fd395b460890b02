"""Full-text queries through the Tantivy index stored in the database file.

``kb build`` (``kb/search_index.py``) writes the index files into the table
``search_index_files`` of the database and names them in ``meta`` by their SHA-256. A
:class:`~api.dataset.db.Dataset` asks :func:`open_index` for its index on the first search; the
files are unpacked once per machine into ``KB_INDEX_CACHE/<digest>/`` (a scratch directory
renamed into place, so a half-written copy is never opened) and opened read-only. The index
therefore always belongs to the very database file being served: the live swap (a new inode
at ``KB_DB``) brings its own. A database without an index (an older build) is searched with
FTS5 as before (:func:`open_index` returns ``None``).

Semantics, as with FTS5: every word must match, each as a prefix of a word of the text, case-
and diacritic-insensitive. A word's prefix is expanded to the terms of the index that start
with it, in a title, a body or (facts only) the names and aliases of the entities the fact involves
(:data:`NAMES`). The word itself scores BM25 (titles weigh 10, bodies 1, as the FTS5 ranking does);
in the names it scores nothing (weight 0 in FTS5), so a fact found through them alone scores 0 and
ranks after every hit found in its own text (BM25 is positive there, in both engines); a
longer word it begins adds a small constant (also 10 times more in a title), so whole-word
matches rank first and a word being typed still finds everything it begins. Past
:data:`EXPANSION` such terms, the rest match through one constant-score prefix query. Hits are
ordered by score, ties by ``search.id`` (the index's segments, and the documents in each, are
in id order, see ``kb/search_index.py``); pages are offsets into that order, which is fixed for
a dataset.

The searches the resources run through an opened index (``/v1/search`` hits with snippets,
entity and fact-list lookups) are in :mod:`api.search.queries`.
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

from factmodel.search_format import FILES_TABLE, FORMAT, KINDS, NAME_FIELDS, NAMES
from factmodel.search_text import ANALYZER, analyzer

from ..exceptions import QueryTimeout

# FORMAT, KINDS, FILES_TABLE, NAME_FIELDS, NAMES: the contract with kb/search_index.py, in factmodel
EXPANSION = 32
TITLE_BOOST = 10.0
PREFIX_SCORE = 0.1
MAX_WORDS = 20
PREFIX_CACHE = 1024  # compiled prefix queries kept per opened index
# Unpacked copies not used for this long are removed when another one is unpacked. Removing
# one in use is harmless: open readers keep their memory maps, a new reader unpacks it again.
CACHE_KEEP_SECONDS = 600
_ANALYZER = analyzer()
_unpack_lock = threading.Lock()
log = logging.getLogger("api.search_index")  # the logger's name from before this module moved to api/search/


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
    """An opened index: one per :class:`~api.dataset.db.Dataset` (so one per thread and dataset)."""

    def __init__(self, path):
        self.index = tantivy.Index.open(str(path))
        self.index.register_tokenizer(ANALYZER, _ANALYZER)
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self._prefixes = {}  # (field, word) -> its compiled prefix query (~0.2 ms to compile)

    def _prefix(self, field, token):
        """The query of every term of ``field`` beginning with ``token``, compiled once per index
        (at most PREFIX_CACHE of them: the oldest go first)."""
        found = self._prefixes.pop((field, token), None)
        if found is None:
            found = tantivy.Query.regex_query(self.schema, field, re.escape(token) + ".*")
            if len(self._prefixes) >= PREFIX_CACHE:
                del self._prefixes[next(iter(self._prefixes))]
        self._prefixes[(field, token)] = found  # (re)inserted last: the newest
        return found

    def query(self, tokens, kinds=None, names=False):
        """The query for ``tokens`` (from :func:`words`), or ``None`` if nothing can match; with
        ``names``, of the entities' names and aliases only (:data:`NAME_FIELDS`: for sets, not
        ranks)."""
        schema, searcher, Q = self.schema, self.searcher, tantivy.Query
        should, must = tantivy.Occur.Should, tantivy.Occur.Must
        clauses = []
        fields = tuple(zip(NAME_FIELDS, (TITLE_BOOST, 1.0))) if names else (
            ("title", TITLE_BOOST), ("body", 1.0), (NAMES, 0.0))
        for token in tokens:
            alternatives = []
            for field, boost in fields:
                terms = [term for term, _ in searcher.terms_with_prefix(field, token, limit=EXPANSION + 1)]
                if not boost:  # the names of a fact's entities: found, never scored (each match scores 0)
                    found = [self._prefix(field, token)] if len(terms) > EXPANSION else [
                        Q.term_query(schema, field, term) for term in terms]
                    alternatives += [(should, Q.const_score_query(q, 0.0)) for q in found]
                    continue
                if token in terms or len(terms) > EXPANSION:  # the word itself: BM25
                    q = Q.term_query(schema, field, token)
                    alternatives.append((should, Q.boost_query(q, boost) if boost != 1.0 else q))
                # a longer word it begins: a small constant, so whole words rank first
                for term in terms[:EXPANSION]:
                    if term != token:
                        alternatives.append((should, Q.const_score_query(Q.term_query(schema, field, term),
                                                                         PREFIX_SCORE * boost)))
                if len(terms) > EXPANSION:  # too many to list: the rest match through one prefix query
                    alternatives.append((should, Q.const_score_query(self._prefix(field, token), PREFIX_SCORE * boost)))
            if not alternatives:
                return None
            clauses.append((must, Q.boolean_query(alternatives)))
        if not clauses:
            return None
        if kinds:  # a filter, not scored (a term query of ``kind`` would add more for a rarer kind)
            kind = Q.boolean_query([(should, Q.term_query(schema, "kind", KINDS[k])) for k in kinds])
            clauses.append((must, Q.const_score_query(kind, 0.0)))
        return Q.boolean_query(clauses)

    def hits(self, query, limit, offset=0):
        """``[(score, search id), …]``: ``limit`` hits from ``offset`` in rank order."""
        result = self.searcher.search(query, limit, count=False, offset=offset)
        addresses = [address for _, address in result.hits]
        ids = self.searcher.fast_field_values("id", addresses) if addresses else []
        return [(score, sid) for (score, _), sid in zip(result.hits, ids)]

    def all_ids(self, query, expected=100):
        """Every matching search id (for bounded sets, such as the entities): one search when
        there are at most ``expected``, else a second one for them all."""
        result = self.searcher.search(query, expected, count=True)
        if result.count > expected:
            return [sid for _, sid in self.hits(query, result.count)]
        addresses = [address for _, address in result.hits]
        return self.searcher.fast_field_values("id", addresses) if addresses else []


def within_budget(db, started):
    """Refuse, like an SQL query over ``KB_QUERY_TIME_LIMIT_MS``, a search that took longer
    (Tantivy cannot be interrupted, so this is checked when it returns)."""
    if time.monotonic() - started > db.time_limit:
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
