"""Is this file a dataset the API can serve? One check, used by the server before a live swap
(``api.dataset.swaps``) and by ``deploy/publish.py`` before a rolling publish. Standard library
only (and ``factmodel.vocabulary``, itself standard library only, for the typed tables); here in ``factmodel`` beside the build's :data:`SCHEMA_VERSION`, which ``kb.build`` writes.

:func:`check_header` is O(1): it reads the first 100 bytes and stats the file (SQLite magic,
page size, the header's page count x page size against the file size). :func:`check` adds
what needs the database open: ``PRAGMA quick_check`` (every b-tree page is read once, so a
garbled page anywhere is found; this is the O(file size) part), the schema version the API
understands (:data:`SCHEMA_VERSIONS`), the tables it reads (:data:`REQUIRED_TABLES`) and the
search index (:func:`check_search_index`). A failure raises :class:`Rejected`, whose
``reason`` is one of :data:`REASONS` (a metric label: a small fixed set) and whose ``detail``
says what was found, without server paths.
"""
import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

from factmodel import vocabulary

# The schema version kb/build.py writes (meta.schema_version) and the ones this API can serve: the
# one definition of both. A build that changes the tables bumps SCHEMA_VERSION; the API accepts it
# once this set says so. 2: the provenance model (time, spans, attributions, relations); 3: the tables
# a list is driven by carry span_end (api/queries/fact_list.py tests a date window on it), which 2
# lacks; 6: search.names (the names of a fact's entities), a column of search_fts too, which the search
# queries read; 7: fact_entities rows of role 'attributed' and entities.fact_counts (an entity's timeline); 8: sources.republish (the pages); 9: fact_extents (a state observed again, as known
# by an earlier day: as_of with a date window reads it)
SCHEMA_VERSION = 9
SCHEMA_VERSIONS = frozenset({str(SCHEMA_VERSION)})

# The tables the API reads (api/queries, api/resources); tests/ops/test_dataset_swap.py checks
# that a fresh build has them all and that every typed-fact table is named here.
REQUIRED_TABLES = ("meta", "sources", "entities", "facts", "citations", "fact_entities", *vocabulary.TYPED_TABLES,
                   "search", "fact_relations", "attributions", "redirects", "releases", "changes", "versions", "fact_extents")
META_KEYS = ("dataset_version", "schema_version", "built_at", "counts")

# Every reason a file can be rejected for (the label of kb_dataset_swaps_rejected_total).
REASONS = ("missing",         # no file at the path, or it cannot be read
           "not_sqlite",      # the first 16 bytes are not the SQLite magic, or the page size is invalid
           "size_mismatch",   # the header's page count x page size is not the file size (truncated, appended)
           "corrupt",         # SQLite cannot read it, or quick_check finds a damaged page
           "meta",            # the meta table lacks a key the API serves
           "schema_version",  # meta.schema_version is not in SCHEMA_VERSIONS
           "tables",          # a table the API reads is missing
           "search_index",    # the search index is missing or unreadable
           "changed")         # the file changed while it was being checked (an in-place write)

MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100


class Rejected(Exception):
    """The file is not a dataset the API can serve: ``reason`` (one of :data:`REASONS`) and ``detail``."""

    def __init__(self, reason, detail):
        assert reason in REASONS, reason
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def check_header(path, fd=None):
    """The O(1) part: SQLite magic, a valid page size, and the header's page count times the
    page size equal to the file size. Returns ``(page_size, page_count)``. Reads ``fd`` when
    given (the file already opened), else opens ``path``."""
    try:
        if fd is None:
            with open(path, "rb") as handle:
                return check_header(path, handle.fileno())
        size = os.fstat(fd).st_size
        header = os.pread(fd, HEADER_SIZE, 0)
    except OSError as exc:
        raise Rejected("missing", f"cannot read the file: {exc.strerror}") from exc
    if len(header) < HEADER_SIZE or header[:16] != MAGIC:
        raise Rejected("not_sqlite", f"not an SQLite database (first bytes {header[:16]!r}, {size} bytes)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise Rejected("not_sqlite", f"invalid page size {page_size} in the header")
    page_count = int.from_bytes(header[28:32], "big")
    change_counter, valid_for = header[24:28], header[92:96]
    if page_count == 0 or change_counter != valid_for:
        # the header's page count is only valid when written by SQLite >= 3.7.0 (version-valid-for)
        raise Rejected("size_mismatch", "the header holds no valid page count")
    if page_count * page_size != size:
        raise Rejected("size_mismatch", f"the header says {page_count} pages of {page_size} bytes "
                                        f"({page_count * page_size} bytes) but the file has {size} bytes")
    return page_size, page_count


def fts5_search_index(conn):
    """Today's search index: the FTS5 table ``search_fts`` over ``search``, present and readable."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'search_fts'").fetchone()
    if not row or "fts5" not in (row[0] or "").lower():
        raise Rejected("search_index", "the FTS5 search index (table search_fts) is missing")
    try:
        conn.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH 'syria' LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        raise Rejected("search_index", f"the FTS5 search index (table search_fts) is unreadable: {exc}") from exc


# The checks that make "the search index is present". A new index (another engine stored in
# the database) adds its own function here: each takes the open connection and raises
# Rejected("search_index", ...) when its index is missing or unreadable.
def tantivy_search_index(conn):
    """The Tantivy index ``kb build`` stores in the file (``search_index_files``, named in ``meta``
    by ``search_index``; api/search/index.py): when the file has one, it is named, complete
    enough to open (``meta.json`` is there), its files are blobs with plain names. A file
    without one passes (it is searched with FTS5). Its digest is checked when it is unpacked."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('search_index', 'search_index_format')"))
    if "search_index_files" not in tables:
        if meta.get("search_index"):
            raise Rejected("search_index", "meta names a Tantivy search index but the table search_index_files is missing")
        return
    if not re.fullmatch(r"[0-9a-f]{64}", meta.get("search_index") or "") or not meta.get("search_index_format"):
        raise Rejected("search_index", "the Tantivy search index (table search_index_files) is not named in meta")
    try:
        files = conn.execute("SELECT name, typeof(data), length(data) FROM search_index_files").fetchall()
    except sqlite3.Error as exc:
        raise Rejected("search_index", f"the Tantivy search index (table search_index_files) is unreadable: {exc}") from exc
    names = {name for name, _, _ in files}
    if "meta.json" not in names:
        raise Rejected("search_index", "the Tantivy search index (table search_index_files) has no meta.json")
    bad = [name for name, kind, _ in files if kind != "blob" or not isinstance(name, str) or "/" in name
           or (name.startswith(".") and name != ".managed.json")]
    if bad:
        raise Rejected("search_index", f"the Tantivy search index has unusable files: {', '.join(map(str, bad[:3]))}")


SEARCH_INDEX_CHECKS = [fts5_search_index, tantivy_search_index]


def check_search_index(conn):
    for probe in SEARCH_INDEX_CHECKS:
        probe(conn)


def connect(path):
    """A read-only connection to ``path`` that assumes nobody writes it (``immutable=1``)."""
    uri = f"file:{quote(os.path.abspath(path))}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


def check(path, integrity=True):
    """Every check, on the file at ``path``; returns its ``meta`` table (key -> value).

    ``integrity``: run ``PRAGMA quick_check`` (reads every page; the one part that costs in
    proportion to the file). Raises :class:`Rejected`."""
    path = Path(path)
    with open_or_reject(path) as handle:
        check_header(path, handle.fileno())
    try:
        conn = connect(path)
    except sqlite3.Error as exc:
        raise Rejected("corrupt", f"SQLite cannot open it: {exc}") from exc
    try:
        return _check_open(conn, integrity)
    except sqlite3.Error as exc:
        raise Rejected("corrupt", f"SQLite cannot read it: {exc}") from exc
    finally:
        conn.close()


def open_or_reject(path):
    try:
        return open(path, "rb")
    except OSError as exc:
        raise Rejected("missing", f"cannot open the file: {exc.strerror}") from exc


def _check_open(conn, integrity):
    if integrity:
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(5)").fetchall()]
        if problems != ["ok"]:
            raise Rejected("corrupt", "quick_check: " + "; ".join(problems)[:300])
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "meta" not in tables:
        raise Rejected("tables", "the meta table is missing")
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    missing_keys = [key for key in META_KEYS if key not in meta]
    if missing_keys:
        raise Rejected("meta", f"the meta table lacks {', '.join(missing_keys)}")
    if meta["schema_version"] not in SCHEMA_VERSIONS:
        raise Rejected("schema_version", f"schema version {meta['schema_version']!r} is not one this API serves "
                                         f"({', '.join(sorted(SCHEMA_VERSIONS))})")
    missing = [table for table in REQUIRED_TABLES if table not in tables]
    if missing:
        raise Rejected("tables", f"missing table(s): {', '.join(missing)}")
    check_search_index(conn)
    return meta
