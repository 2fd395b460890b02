"""Read-only access to the knowledge-base file.

Each thread keeps one connection, opened with ``mode=ro&immutable=1``. The build replaces
the file by an atomic rename, so a new dataset is a new inode: before each request the
path is stat-ed (one cheap system call) and a changed inode opens a fresh connection.
Requests already running finish on the old file, which stays readable until closed.
"""
import os
import sqlite3
import threading
import time
from urllib.parse import quote

import orjson

from . import search_index


class Unavailable(Exception):
    """The database file is missing or unreadable."""


class QueryTimeout(Exception):
    """A query ran past the per-query time limit."""


# Pages are read through a memory map rather than one read() call each: a page of a list at
# 1M facts touches ~100 pages spread over the file, and answers 3x faster (bench/serve_bench.py).
# SQLite caps the map at its compiled maximum (2 GB here). Safe because a new dataset arrives by
# atomic rename: a mapped file is never truncated under a reader (overwriting it in place would be).
MMAP_SIZE = 1 << 40


class Dataset:
    """One open database file: its connection and its ``meta`` table."""

    def __init__(self, path, inode, time_limit, index_cache=None):
        uri = f"file:{quote(os.path.abspath(path))}?mode=ro&immutable=1"
        try:
            self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute(f"PRAGMA mmap_size = {MMAP_SIZE}")
            meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error as exc:
            raise Unavailable(f"cannot open the knowledge base: {exc}") from exc
        self.inode = inode
        self.version = meta["dataset_version"]
        self.built_at = meta["built_at"]
        self.schema_version = meta["schema_version"]
        self.counts = orjson.loads(meta["counts"])
        self.time_limit = time_limit
        self.deadline = None
        self.conn.set_progress_handler(self._over_time, 1000)
        # -- search index hook (api/search_index.py): this file's own index, opened on first use
        self.meta, self.index_cache, self._search_index = meta, index_cache, None

    def search_index(self):
        """The Tantivy index stored in this file, or ``None`` (none stored, or disabled)."""
        if self._search_index is None and self.index_cache:
            self._search_index = search_index.open_index(self.conn, self.meta, self.index_cache) or False
        return self._search_index or None

    def _over_time(self):
        return 1 if self.deadline is not None and time.monotonic() > self.deadline else 0

    def _arm(self):
        self.deadline = time.monotonic() + self.time_limit

    def all(self, sql, params=()):
        self._arm()
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise QueryTimeout() from exc
            raise
        finally:
            self.deadline = None

    def one(self, sql, params=()):
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def stream(self, sql, params=(), chunk=500):
        """Yield rows in chunks; the time limit applies to each chunk, not the whole stream."""
        self._arm()
        cursor = self.conn.execute(sql, params)
        try:
            while True:
                self._arm()
                try:
                    rows = cursor.fetchmany(chunk)
                except sqlite3.OperationalError as exc:
                    raise QueryTimeout() from exc
                if not rows:
                    return
                yield from rows
        finally:
            self.deadline = None
            cursor.close()


class Database:
    """Hands each thread the :class:`Dataset` of the file currently at ``path``."""

    def __init__(self, path, time_limit_ms, index_cache=None):
        self.path = path
        self.index_cache = index_cache
        self.time_limit = time_limit_ms / 1000
        self.local = threading.local()

    def current(self):
        try:
            st = os.stat(self.path)
        except OSError as exc:
            raise Unavailable(f"the knowledge base file is not available: {exc.strerror}") from exc
        inode = (st.st_dev, st.st_ino, st.st_mtime_ns)
        dataset = getattr(self.local, "dataset", None)
        if dataset is None or dataset.inode != inode:
            fresh = Dataset(self.path, inode, self.time_limit, self.index_cache)
            if dataset is not None:
                dataset.conn.close()
            self.local.dataset = dataset = fresh
        return dataset
