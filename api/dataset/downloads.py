"""The downloads of the dataset a request reads (docs/releases.md, "Downloads"): the SQLite file,
the gzipped NDJSON dump of every fact and the Parquet files (issue 32) that ``kb build`` wrote
with it (kb/artifacts.py).

What is served is what the worker serves: ``kb.sqlite`` is the worker's private snapshot of the
accepted file (api/dataset/snapshots.py), byte for byte the file it checked; ``facts.ndjson.gz`` (and
each ``*.parquet``) is the file that database's ``meta`` names (by SHA-256 and size), found beside the served path. Each
SHA-256 is computed here from the bytes, once per file and process (a read of the file), never
taken on trust from a manifest; a dump whose bytes are not the ones its database names is not
offered (it is absent from the list and its URL answers 404).
"""
import hashlib
import os
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from flask import current_app, g

from factmodel.downloads import DATABASE, MEDIA_TYPES, NAMES, entry, file_entries, file_path

from ..http.public_url import public_base
from .snapshots import file_key

_digests = {}  # file key (device, inode, size, mtime) -> sha256 of its bytes
_lock = threading.Lock()


class Artifact:
    """One downloadable file: its download name, the path it is read from, its SHA-256 and size."""

    def __init__(self, name, path, sha256, size, built_at):
        self.name, self.path, self.sha256, self.size = name, path, sha256, size
        self.media_type = MEDIA_TYPES[name]
        self.last_modified = datetime.fromisoformat(built_at.replace("Z", "+00:00"))

    def as_dict(self, release=None):
        return {"name": self.name, **served_entry(self.name, self.sha256, self.size), "release": release}


def served_entry(name, sha256, size):
    """A file's manifest entry (factmodel.downloads.entry) and ``href``: its URL at the public address."""
    found = entry(name, sha256, size)
    found["href"] = public_base() + found["url"]
    return found


def _sha256(path):
    """``(sha256, size)`` of the file at ``path``, memoized by its identity (an in-place write changes it)."""
    key = file_key(os.stat(path))
    with _lock:
        if key not in _digests:
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            if len(_digests) >= 8:
                _digests.pop(next(iter(_digests)))
            _digests[key] = digest.hexdigest()
        return _digests[key], key[2]


def artifacts(dataset):
    """``{name: Artifact}`` of ``dataset`` (an :class:`api.dataset.db.Dataset`), in :data:`NAMES` order.

    Raises ``FileNotFoundError`` when the worker's snapshot went away under the request (it moved
    on to a newer dataset): a retry reads the new one."""
    found = {}
    sha, size = _sha256(dataset.snapshot)
    found[DATABASE] = Artifact(DATABASE, dataset.snapshot, sha, size, dataset.built_at)
    served = Path(os.path.abspath(current_app.extensions["kb_db"].path))
    for name, named in file_entries(dataset.meta).items():  # the dump, the Parquet files (issue 32)
        path = str(file_path(served, name, named["sha256"]))
        try:
            sha, size = _sha256(path)
        except FileNotFoundError:
            sha = None
        if sha == named["sha256"] and size == named["size"]:
            found[name] = Artifact(name, path, sha, size, dataset.built_at)
    return found


def current_release(dataset):
    """The id of the newest release in the dataset (the one served), or None."""
    try:
        row = dataset.one("SELECT id FROM releases ORDER BY seq DESC LIMIT 1")
    except sqlite3.OperationalError:  # a database built before releases existed
        return None
    return row["id"] if row else None


def release_artifacts(dataset):
    """``artifacts`` of the served release's manifest: ``{name: {sha256, size, media_type, url}}``."""
    return {name: served_entry(name, a.sha256, a.size) for name, a in artifacts(dataset).items()}


def artifacts_of_release(row):
    """``artifacts`` of a release row's manifest: the files served, for the newest release (the one
    served); ``{}`` for older ones, which are not downloadable."""
    newest = getattr(g, "newest_release_seq", None)
    if newest is None:
        newest = g.newest_release_seq = g.db.one("SELECT max(seq) AS seq FROM releases")["seq"]
    return release_artifacts(g.db) if row["seq"] == newest else {}
