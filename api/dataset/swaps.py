"""Which file a worker serves, and the guard that keeps a bad file out.

A new dataset arrives at ``KB_DB`` by atomic rename (``kb build``, ``deploy/publish.py``): a
new inode. Before each request a worker ``stat``s the path (one system call). When the file
there is not the one it serves (another device, inode, size or mtime), the worker checks it
(:mod:`factmodel.dataset_check`) before switching, in a background thread, once per file:

1. the O(1) header check on the file itself (SQLite magic, page size, the header's page count
   x page size against the file size), so garbage or a truncated copy costs no more;
2. a private snapshot of the file (:mod:`api.dataset.snapshots`), then the full check of the snapshot: ``PRAGMA
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

:mod:`api.dataset.db` opens the accepted file's snapshot for the requests.
"""
import datetime
import logging
import os
import threading
from collections import OrderedDict

from prometheus_client import Counter

from factmodel import dataset_check
from factmodel.dataset_check import Rejected

from ..exceptions import Unavailable
from .snapshots import Snapshots, default_snapshot_dir, file_key

log = logging.getLogger("api.db")  # the logger's name from before this module was split out of api.db

# One increment per worker that rejects a file (each worker checks for itself); in multiprocess
# mode (PROMETHEUS_MULTIPROC_DIR set) prometheus_client keeps the values in files there.
SWAPS_REJECTED = Counter("kb_dataset_swaps_rejected_total",
                         "Files found at KB_DB that a worker refused to serve, by reason",
                         ["reason"])
MISSING = (None, None, None, None)  # the key of "no file at the path"
REMEMBERED = 64  # rejected files remembered per worker (a dd in progress makes one per mtime)


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


class Swaps:
    """The last good file found at ``path``: each new one checked before it is served."""

    def __init__(self, path, snapshot_dir=None, check_wait_ms=None):
        self.path = path
        self.name = os.path.basename(path)
        self.check_wait = (int(os.environ.get("KB_SWAP_CHECK_WAIT_MS", "1000")) if check_wait_ms is None
                           else check_wait_ms) / 1000
        self.lock = threading.Lock()
        self.snapshots = Snapshots(snapshot_dir or default_snapshot_dir())
        self.accepted = None  # the Accepted dataset served
        self.rejected = OrderedDict()  # key -> Rejection, the files refused (most recent last)
        self.rejection = None  # the last Rejection since the served dataset was accepted, for /readyz
        self.failure = None  # why the last check could not run (not the file's fault), when nothing is served
        self.checker = None  # the thread checking a file, if any

    def current(self):
        """The Accepted dataset to serve now: one ``stat`` of the path, and the check of a new file."""
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
        return accepted

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
