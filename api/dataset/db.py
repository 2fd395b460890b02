"""Read-only access to the knowledge-base file: the :class:`Database` a worker serves, the
:class:`Dataset` each request reads, and the ``before_request`` hook that opens it.

Which file is served, and the check each new one passes first, is :mod:`api.dataset.swaps`; the file
opened is a private snapshot of it (:mod:`api.dataset.snapshots`), opened ``immutable=1`` and read
through a memory map (below). A query that runs past ``QUERY_TIME_LIMIT_MS`` is interrupted by
the progress handler (:class:`QueryTimeout`, a 503).
"""
import atexit
import os
import sqlite3
import threading
import time

import orjson
from flask import current_app, g, request

from factmodel import dataset_check

from ..exceptions import QueryTimeout, Unavailable
from ..search import index as search_index
from .swaps import Swaps

DATASET = "kb.dataset"  # environ key of the dataset a request reads
DB_FREE_PATHS = ("/healthz", "/openapi.json")  # and /docs: served when the database is not


# Pages are read through a memory map rather than one read() call each: a page of a list at
# 1M facts touches ~100 pages spread over the file, and answers 3x faster (bench/serve_bench.py).
# SQLite caps the map at its compiled maximum (2 GB here). Safe because the map is of a private
# snapshot that nothing writes or truncates (api.dataset.snapshots); KB_MMAP=0 turns it off.
MMAP_SIZE = 1 << 40 if os.environ.get("KB_MMAP", "1") != "0" else 0


class Dataset:
    """One open snapshot: its connection and its ``meta`` table."""

    def __init__(self, snapshot, key, time_limit, index_cache=None):
        try:
            self.conn = dataset_check.connect(snapshot)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute(f"PRAGMA mmap_size = {MMAP_SIZE}")
            meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error as exc:
            raise Unavailable(f"cannot open the knowledge base: {exc}") from exc
        self.snapshot = snapshot
        self.inode = key
        self.version = meta["dataset_version"]
        self.built_at = meta["built_at"]
        self.schema_version = meta["schema_version"]
        self.counts = orjson.loads(meta["counts"])
        self.time_limit = time_limit
        self.deadline = None
        self.conn.set_progress_handler(self._over_time, 1000)
        # -- search index hook (api/search/index.py): this file's own index, opened on first use
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
    """Hands each thread the :class:`Dataset` of the last good file found at ``path``."""

    def __init__(self, path, time_limit_ms, snapshot_dir=None, check_wait_ms=None, index_cache=None):
        self.path = path
        self.index_cache = index_cache  # where stored search indexes are unpacked (None: FTS5 only)
        self.time_limit = time_limit_ms / 1000
        self.local = threading.local()
        self.swaps = Swaps(path, snapshot_dir, check_wait_ms)  # which file is served, checked first
        atexit.register(self.close)

    def current(self):
        accepted = self.swaps.current()
        dataset = getattr(self.local, "dataset", None)
        if dataset is None or dataset.snapshot != accepted.snapshot:
            with self.swaps.lock:  # snapshots are unlinked under this lock: open the current one
                accepted = self.swaps.accepted
                fresh = Dataset(accepted.snapshot, accepted.key, self.time_limit, self.index_cache)
            if dataset is not None:
                dataset.conn.close()
            self.local.dataset = dataset = fresh
        return dataset

    def status(self):
        """What ``/readyz`` adds: the last rejected file (None when the file at the path is served)."""
        return self.swaps.status()

    def close(self):
        """Remove this worker's snapshot links (atexit)."""
        self.swaps.close()


def request_dataset(environ, database):
    """The :class:`Dataset` this request reads, opened once per request: the ETag
    (``api.http.protocol``) and the views answer from the same file, even across a swap."""
    dataset = environ.get(DATASET)
    if dataset is None:
        dataset = environ[DATASET] = database.current()
    return dataset


def open_dataset():
    """``before_request`` hook: the views read ``g.db``. Liveness, the spec and the explorer
    (``g.db`` None) are served without a database; any other request is a 503."""
    try:
        g.db = request_dataset(request.environ, current_app.extensions["kb_db"])
    except Unavailable:
        path = request.path
        if path in DB_FREE_PATHS or path.startswith("/docs"):
            g.db = None
            return
        raise
