"""The downloads in the cluster (docs/deploy.md, "Downloads"): a dataset's dump and manifest travel
with its database to every replica, and nginx serves the published release's files itself from
``<runtime dir>/downloads/`` (deploy/nginx.conf). Standard library only (and ``factmodel.downloads``,
which is too).

:func:`verify` is what ``make publish`` checks before it touches any replica: when the build left
a manifest beside the database (``NEW.sqlite.manifest.json``), the database's and the dump's
SHA-256 and size must be the manifest's, the dump the one the database's ``meta`` names, and the
dataset version the database's. A database without a manifest (built before downloads existed, or
copied alone) is published alone, and nginx then serves no dump (rather than another release's).
"""
import json
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from factmodel.downloads import (DATABASE, DUMP, NAMES, downloads_dir, file_entries, file_path, manifest_path,
                                 prune_dumps, sha256_file)

FILES = NAMES[1:]  # the files beside the database: the dump and, since issue 32, the Parquet ones

MANIFEST = "manifest.json"  # the manifest's name in the published folder


class Refused(Exception):
    """The dataset's files contradict its manifest."""


def read_meta(db_path):
    """The ``meta`` table (key -> value) of a database built by ``kb build``, opened read-only."""
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()


def built_at(db_path):
    """The dataset's ``built_at`` in Unix seconds: the modification time its files are given on the
    replicas and in nginx's folder, so Last-Modified (and nginx's ETag, mtime and size) is the same
    on every host and says when the data was made, not when it was copied."""
    return int(datetime.fromisoformat(read_meta(db_path)["built_at"].replace("Z", "+00:00")).timestamp())


def dataset_files(db_path):
    """``{DATABASE: path, DUMP: path, <Parquet name>: path…, MANIFEST: path}`` of the dataset at
    ``db_path``: every file its ``meta`` names (just the database when it has no manifest or names
    no dump)."""
    db_path = Path(db_path)
    named = file_entries(read_meta(db_path))
    if DUMP not in named or not manifest_path(db_path).exists():
        return {DATABASE: db_path}
    return {DATABASE: db_path, **{name: file_path(db_path, name, named[name]["sha256"]) for name in named},
            MANIFEST: manifest_path(db_path)}


def _check(name, path, expected):
    if not Path(path).is_file():
        raise Refused(f"{name} is missing ({Path(path).name})")
    size, sha256 = os.path.getsize(path), sha256_file(path)
    if (sha256, size) != (expected.get("sha256"), expected.get("size")):
        raise Refused(f"the SHA-256 {sha256[:16]}... ({size} bytes) of {name} is not the manifest's "
                      f"{str(expected.get('sha256'))[:16]}... ({expected.get('size')} bytes)")


def verify(db_path, meta):
    """Check every file of the dataset against its manifest (module docstring); raises :class:`Refused`."""
    files = dataset_files(db_path)
    if MANIFEST not in files:
        if manifest_path(db_path).exists():
            raise Refused("its manifest lists downloads but its meta table names no dump")
        return files
    try:
        manifest = json.loads(files[MANIFEST].read_text(encoding="utf-8"))
        artifacts = manifest["artifacts"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise Refused(f"its manifest {files[MANIFEST].name} is unreadable ({exc})") from None
    if manifest.get("dataset_version") != meta["dataset_version"]:
        raise Refused(f"its manifest is of dataset version {str(manifest.get('dataset_version'))[:16]}, "
                      f"the database of {meta['dataset_version'][:16]}")
    _check("the database", db_path, artifacts.get(DATABASE) or {})
    for name, named in file_entries(meta).items():
        what = "the facts dump" if name == DUMP else name
        if {k: (artifacts.get(name) or {}).get(k) for k in ("sha256", "size")} != named:
            raise Refused(f"{'the dump' if name == DUMP else name} its manifest lists is not the one its meta table names")
        _check(what, files[name], named)
    return files


def _link_or_copy(src, dest, copy, mtime):
    """``dest`` becomes ``src`` by one rename: a hard link (the files are only ever replaced by
    rename, never written, so sharing the inode is safe), or ``copy`` across filesystems."""
    dest = Path(dest)
    tmp = dest.parent / f".{dest.name}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        copy(src, dest, mtime)
        return
    try:
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def copy_dataset(files, dest_db, copy, mtime=None):
    """Copy a dataset beside ``dest_db`` (a replica's ``kb.sqlite``) with ``copy(src, dest, mtime)``
    (an atomic copy; ``mtime``: :func:`built_at` by default): the dump and the Parquet files first,
    each under its own name, then the database (what the replica follows), then the manifest. Returns the replica's files."""
    dest_db = Path(dest_db)
    mtime = built_at(files[DATABASE]) if mtime is None else mtime
    copied = {}
    for name in FILES:
        if name in files:
            downloads_dir(dest_db).mkdir(parents=True, exist_ok=True)
            copied[name] = downloads_dir(dest_db) / Path(files[name]).name
            copy(files[name], copied[name], mtime)
    copy(files[DATABASE], dest_db, mtime)
    copied[DATABASE] = dest_db
    if MANIFEST in files:
        copy(files[MANIFEST], manifest_path(dest_db), mtime)
        copied[MANIFEST] = manifest_path(dest_db)
        prune_dumps(dest_db, [copied[name] for name in FILES if name in copied])
    else:
        manifest_path(dest_db).unlink(missing_ok=True)
    return copied


def publish_files(root, files, copy):
    """Make ``files`` (a replica's, from :func:`copy_dataset`) the ones nginx serves from
    ``<root>/downloads/``: ``kb.sqlite``, ``facts.ndjson.gz``, the Parquet files and ``manifest.json``,
    each replaced by a rename. A file the dataset lacks (a dump, a Parquet file) removes the old one:
    no file of another release is served."""
    folder = Path(root) / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    mtime = built_at(files[DATABASE])
    for name in (*FILES, DATABASE, MANIFEST):
        if name in files:
            _link_or_copy(files[name], folder / name, copy, mtime)
        else:
            (folder / name).unlink(missing_ok=True)
    return folder
