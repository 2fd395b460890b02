"""Read-only access to the knowledge-base file, and the guard that keeps a bad file out.

A new dataset arrives at ``KB_DB`` by atomic rename (``kb build``, ``deploy/publish.py``): a
new inode. Before each request a worker ``stat``s the path (one system call). When the file
there is not the one it serves (another device, inode, size or mtime), the worker checks it
(:mod:`api.dataset_check`) before switching, in a background thread, once per file:

1. the O(1) header check on the file itself (SQLite magic, page size, the header's page count
   x page size against the file size), so garbage or a truncated copy costs no more;
2. a private snapshot of the file (below), then the full check of the snapshot: ``PRAGMA
   quick_check`` (every page read once), the schema version the API understands, the tables
   it reads, the search index.

A file that passes becomes the dataset the worker serves; requests already running finish
on the old one. A file that fails is remembered by its identity (it is not checked again
until another file, or a write, replaces it); the worker keeps serving its last good dataset,
logs one warning, counts ``kb_dataset_swaps_rejected_total{reason}`` and ``/readyz`` shows the
rejection. The request that notices the new file waits for the verdict up to
``KB_SWAP_CHECK_WAIT_MS`` (1000): a small dataset swaps within that request; a big one is
checked while the old one goes on being served. With no good dataset yet (startup) requests
wait for the verdict, and a rejected file makes them 503 problem documents.

In-place writes: the snapshot. A file overwritten in place (``cp bad.sqlite KB_DB``, a dd into
its middle) keeps its inode, and every open descriptor, hard link and memory map of it sees
the new bytes: reading it under a memory map after a truncation is a SIGBUS that kills the
worker, and SQLite's page cache mixes old and new pages, so even without the map the answers
would be errors or silently wrong. The only way to keep answering from the last good data is
to read a copy nobody else writes. So an accepted dataset is served from a private snapshot:
a copy of the file (copy_file_range: a reflink where the filesystem has them) under
``KB_SNAPSHOT_DIR`` (default ``$TMPDIR/kb-snapshots-<uid>``, mode 0700), made from the descriptor
the header check read, its size and mtime compared again after the copy (a write during the
copy rejects it as ``changed``), then checked. The workers of one host share one copy per file
(each keeps a hard link of its own to it, under ``worker-<pid>/``; it is unlinked when the worker
moves on, and directories of dead workers are removed). Cost: one copy of the file per swap
(disk space of one dataset, and the copy time, ~1 s per GB from the page cache) -- against
a memory map that now is safe, so pages are still read at memory speed (dropping the map
instead saves nothing on correctness: see README, "Operating it", for the measurements).
``immutable=1`` tells SQLite the file never changes: true of the snapshot, which only this
code writes, before anyone opens it.
"""
import atexit
import datetime
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path

import orjson
from flask import current_app, g, request
from prometheus_client import Counter

from . import dataset_check, search_index
from .dataset_check import Rejected


DATASET = "kb.dataset"  # environ key of the dataset a request reads
DB_FREE_PATHS = ("/healthz", "/openapi.json")  # and /docs: served when the database is not
log = logging.getLogger("api.db")

# One increment per worker that rejects a file (each worker checks for itself); in multiprocess
# mode (PROMETHEUS_MULTIPROC_DIR set) prometheus_client keeps the values in files there.
SWAPS_REJECTED = Counter("kb_dataset_swaps_rejected_total",
                         "Files found at KB_DB that a worker refused to serve, by reason",
                         ["reason"])
MISSING = (None, None, None, None)  # the key of "no file at the path"
REMEMBERED = 64  # rejected files remembered per worker (a dd in progress makes one per mtime)


class Unavailable(Exception):
    """The database file is missing or unreadable."""


class QueryTimeout(Exception):
    """A query ran past the per-query time limit."""


# Pages are read through a memory map rather than one read() call each: a page of a list at
# 1M facts touches ~100 pages spread over the file, and answers 3x faster (bench/serve_bench.py).
# SQLite caps the map at its compiled maximum (2 GB here). Safe because the map is of a private
# snapshot that nothing writes or truncates (the module docstring); KB_MMAP=0 turns it off.
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


def file_key(st):
    """What identifies one version of a file: device, inode, size, mtime (an in-place write
    changes the last two)."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class Accepted:
    """A file that passed the check: its identity, its snapshot and its meta."""

    def __init__(self, key, snapshot, meta):
        self.key, self.snapshot, self.meta = key, snapshot, meta


class Rejection:
    """A file that failed the check, as ``/readyz`` shows it."""

    def __init__(self, name, key, reason, detail):
        self.name, self.key, self.reason, self.detail = name, key, reason, detail
        self.at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

    def as_dict(self):
        inode, size, mtime = (self.key[1], self.key[2], self.key[3]) if self.key[0] is not None else (None,) * 3
        modified = (datetime.datetime.fromtimestamp(mtime / 1e9, datetime.timezone.utc).isoformat(
            timespec="seconds").replace("+00:00", "Z") if mtime is not None else None)
        return {"file": self.name, "inode": inode, "size": size, "modified": modified, "reason": self.reason,
                "detail": self.detail, "rejected_at": self.at.isoformat().replace("+00:00", "Z")}


def default_snapshot_dir():
    return os.environ.get("KB_SNAPSHOT_DIR") or os.path.join(tempfile.gettempdir(), f"kb-snapshots-{os.getuid()}")


class Snapshots:
    """Private copies of accepted files (module docstring): ``<dir>/<key>.sqlite`` shared by the
    workers of a host, ``<dir>/worker-<pid>/<key>.sqlite`` each worker's hard link to it."""

    def __init__(self, root):
        self.root = Path(root)
        self.mine = None

    def _ready(self):
        if self.mine is not None and self.mine.name == f"worker-{os.getpid()}" and self.mine.is_dir():
            return
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(self.root)
        if not os.path.isdir(self.root) or os.path.islink(self.root) or st.st_uid != os.getuid():
            raise OSError(f"snapshot directory {self.root} is not a directory owned by this user")
        os.chmod(self.root, 0o700)
        for old in self.root.glob("worker-*"):  # workers that died without cleaning up
            pid = old.name.removeprefix("worker-")
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
        self.mine = self.root / f"worker-{os.getpid()}"
        self.mine.mkdir(mode=0o700, exist_ok=True)

    def take(self, fd, key):
        """This worker's snapshot of the file open on ``fd`` (identity ``key``): a link to the
        host's shared copy, made by this call if there is none. Raises Rejected('changed')
        when the file is written during the copy."""
        self._ready()
        name = "-".join(map(str, key)) + ".sqlite"
        shared, mine = self.root / name, self.mine / name
        mine.unlink(missing_ok=True)
        try:
            os.link(shared, mine)
            return mine
        except FileNotFoundError:
            pass
        tmp = self.root / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                _copy(fd, out, key[2])
            finally:
                os.close(out)
            if file_key(os.fstat(fd)) != key:
                raise Rejected("changed", "the file was written while it was being copied")
            os.link(tmp, mine)
            os.replace(tmp, shared)
        finally:
            tmp.unlink(missing_ok=True)
        return mine

    def drop(self, snapshot):
        """Unlink this worker's link ``snapshot`` and shared copies no worker links any more
        (open connections keep reading an unlinked file)."""
        Path(snapshot).unlink(missing_ok=True)
        for shared in self.root.glob("*.sqlite"):
            try:
                if os.stat(shared).st_nlink == 1:
                    shared.unlink()
            except FileNotFoundError:
                pass

    def close(self):
        if self.mine is not None and self.mine.name == f"worker-{os.getpid()}":
            shutil.rmtree(self.mine, ignore_errors=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _copy(src, dst, size):
    """Copy ``size`` bytes of ``src`` to ``dst`` (descriptors) in the kernel, from offset 0."""
    offset = 0
    try:
        while offset < size:
            done = os.copy_file_range(src, dst, size - offset, offset, offset)
            if done == 0:
                break
            offset += done
    except OSError:  # copy_file_range across filesystems on old kernels, or not supported
        while offset < size:
            done = os.sendfile(dst, src, offset, min(size - offset, 1 << 30))
            if done == 0:
                break
            offset += done
    if offset != size:
        raise Rejected("changed", f"the file shrank while it was being copied ({offset} of {size} bytes)")


class Database:
    """Hands each thread the :class:`Dataset` of the last good file found at ``path``."""

    def __init__(self, path, time_limit_ms, snapshot_dir=None, check_wait_ms=None, index_cache=None):
        self.path = path
        self.index_cache = index_cache  # where stored search indexes are unpacked (None: FTS5 only)
        self.name = os.path.basename(path)
        self.time_limit = time_limit_ms / 1000
        self.check_wait = (int(os.environ.get("KB_SWAP_CHECK_WAIT_MS", "1000")) if check_wait_ms is None
                           else check_wait_ms) / 1000
        self.local = threading.local()
        self.lock = threading.Lock()
        self.snapshots = Snapshots(snapshot_dir or default_snapshot_dir())
        self.accepted = None  # the Accepted dataset served
        self.rejected = OrderedDict()  # key -> Rejection, the files refused (most recent last)
        self.rejection = None  # the last Rejection since the served dataset was accepted, for /readyz
        self.failure = None  # why the last check could not run (not the file's fault), when nothing is served
        self.checker = None  # the thread checking a file, if any
        atexit.register(self.close)

    def current(self):
        try:
            key = file_key(os.stat(self.path))
        except OSError as exc:
            key, missing = MISSING, exc
        else:
            missing = None
        accepted = self.accepted
        if accepted is None or key != accepted.key:
            accepted = self._verdict(key, missing)
        elif self.rejection is not None:  # the served file is back at the path
            self.rejection = None
        dataset = getattr(self.local, "dataset", None)
        if dataset is None or dataset.snapshot != accepted.snapshot:
            with self.lock:  # snapshots are unlinked under this lock: open the current one
                accepted = self.accepted
                fresh = Dataset(accepted.snapshot, accepted.key, self.time_limit, self.index_cache)
            if dataset is not None:
                dataset.conn.close()
            self.local.dataset = dataset = fresh
        return dataset

    def status(self):
        """What ``/readyz`` adds: the last rejected file (None when the file at the path is served)."""
        rejection = self.rejection
        return {"rejected": rejection.as_dict() if rejection else None}

    def _verdict(self, key, missing):
        """The Accepted dataset to serve now that ``key`` is at the path (checked, or being checked)."""
        for _ in range(3):
            with self.lock:
                if self.accepted is not None and self.accepted.key == key:
                    return self.accepted
                if key in self.rejected:
                    self.rejection = self.rejected[key]
                    return self._last_good()
                if missing is not None:
                    self._reject(key, Rejected("missing", f"the file is not available: {missing.strerror}"))
                    return self._last_good()
                if self.checker is None:
                    self.checker = threading.Thread(target=self._check, args=(key,), daemon=True,
                                                    name="kb-dataset-check")
                    self.checker.start()
                checker = self.checker
            checker.join(None if self.accepted is None else self.check_wait)
            if checker.is_alive():
                with self.lock:
                    return self._last_good()
            # the check is done, perhaps of an earlier file: look again
            try:
                key, missing = file_key(os.stat(self.path)), None
            except OSError as exc:
                key, missing = MISSING, exc
        with self.lock:
            return self._last_good()

    def _last_good(self):
        if self.accepted is not None:
            return self.accepted
        if self.rejection is not None and self.rejection.reason == "missing":
            raise Unavailable(f"the knowledge base file is not available: {self.rejection.detail}")
        if self.rejection is not None:
            raise Unavailable(f"cannot open the knowledge base: the file was rejected ({self.rejection.reason}): "
                              f"{self.rejection.detail}")
        raise Unavailable(f"cannot open the knowledge base: {self.failure or 'it is being checked'}")

    def _reject(self, key, rejected):
        """Record a rejection (call with the lock held): remembered, logged, counted, shown."""
        rejection = Rejection(self.name, key, rejected.reason, rejected.detail)
        self.rejected[key] = self.rejection = rejection
        while len(self.rejected) > REMEMBERED:
            self.rejected.popitem(last=False)
        if rejected.reason == "missing" and self.accepted is None:
            return  # no file and nothing served yet: a 503 per request, as ever; no swap was refused
        serving = (f"still serving dataset {self.accepted.meta['dataset_version'][:16]}" if self.accepted
                   else "no dataset to serve")
        log.warning("rejected the dataset file %s (inode %s, %s bytes): %s: %s; %s", self.path, key[1], key[2],
                    rejected.reason, rejected.detail, serving)
        SWAPS_REJECTED.labels(reason=rejected.reason).inc()

    def _check(self, key):
        """In the checker thread: check the file now at the path; accept or reject it."""
        snapshot = None
        try:
            try:
                fd = os.open(self.path, os.O_RDONLY)
            except OSError as exc:
                raise Rejected("missing", f"the file is not available: {exc.strerror}") from exc
            try:
                key = file_key(os.fstat(fd))  # the file opened, whatever replaced what was stat-ed
                dataset_check.check_header(self.path, fd)
                with self.lock:
                    if key in self.rejected or (self.accepted is not None and self.accepted.key == key):
                        return
                snapshot = self.snapshots.take(fd, key)
            finally:
                os.close(fd)
            meta = dataset_check.check(snapshot)
        except Rejected as exc:
            with self.lock:
                self._reject(key, exc)
            if snapshot is not None:
                self.snapshots.drop(snapshot)
        except Exception as exc:  # noqa: BLE001 - the snapshot could not be made (disk full...): try again later
            log.error("cannot check the dataset file %s: %s", self.path, exc)
            self.failure = "the file could not be checked"
            if snapshot is not None:
                self.snapshots.drop(snapshot)
        else:
            with self.lock:
                previous, self.accepted = self.accepted, Accepted(key, str(snapshot), meta)
                self.rejection = self.failure = None
                self.rejected.pop(MISSING, None)  # a file that goes missing again is reported again
                if previous is not None and previous.snapshot != self.accepted.snapshot:
                    self.snapshots.drop(previous.snapshot)
            log.info("serving the dataset file %s (inode %s): dataset %s", self.path, key[1],
                     meta["dataset_version"][:16])
        finally:
            with self.lock:
                self.checker = None

    def close(self):
        """Remove this worker's snapshot links (atexit)."""
        self.snapshots.close()


def request_dataset(environ, database):
    """The :class:`Dataset` this request reads, opened once per request: the ETag
    (``api.protocol``) and the views answer from the same file, even across a swap."""
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
