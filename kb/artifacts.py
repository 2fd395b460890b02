"""The downloadable files of a dataset (docs/releases.md, "Downloads"), written by ``kb build``
together with the database.

A dataset is a set of files beside each other, for a database at ``DIR/NAME`` (``var/kb.sqlite``):

* ``DIR/NAME``: the SQLite database. Its ``meta`` table says which dump belongs to it
  (key ``downloads``: ``{"facts.ndjson.gz": {"sha256", "size"}}``);
* ``DIR/NAME.downloads/facts-<sha256>.ndjson.gz``: every fact, one per line, in the shape
  ``GET /v1/facts/{id}`` serves, in the order of ``GET /v1/facts`` (date, then id); gzip with
  no file name and mtime 0, so two builds of the same database write the same bytes. The name
  holds its SHA-256: a new dump never overwrites the one an older database names;
* ``DIR/NAME.downloads/{facts,citations,entities}-<sha256>.parquet``: the Parquet downloads
  (issue 32, kb/parquet.py), named like the dump and listed with it in ``meta``;
* ``DIR/NAME.manifest.json``: the manifest of the current release (kb/releases.py) with its
  ``artifacts`` filled in (``sha256``, ``size``, ``media_type``, ``url`` of ``kb.sqlite`` and of
  ``facts.ndjson.gz``) and the ``dataset_version``. A database cannot hold its own SHA-256,
  hence this file beside it.

:func:`install` moves them into place: the dump first (a new name nobody reads yet), then the
database (``os.replace``: what servers follow), then the manifest. A build that fails before that
changes nothing that is served; one killed between the renames leaves an unreferenced dump
(removed by the next build) or a manifest that contradicts the database (``make publish``
refuses it).
"""
import gzip
import json
import os
import sqlite3
from pathlib import Path

from factmodel.downloads import (DATABASE, DUMP, META_KEY, PARQUET, downloads_dir, dump_entry, dump_path, entry,
                                  file_entries, file_path, manifest_path, prune_dumps, sha256_file)

from .memory import release_freed_memory
from .pids import left_by_a_dead_build

KEEP_DUMPS = 2  # the current dump and the one before (a server may still be on the previous database)


def temporary_dump(target):
    """Where a build writes its dump before :func:`install`: beside the database, like its own
    temporary file (a failed build leaves nothing; the temporaries of killed builds are removed)."""
    target = Path(target)
    for path in target.parent.glob(f".{target.name}.facts.*.tmp"):
        pid = path.name[len(target.name) + 1:].split(".")[2]
        if pid.isdigit() and left_by_a_dead_build(int(pid)):
            path.unlink(missing_ok=True)
    return target.parent / f".{target.name}.facts.{os.getpid()}.tmp"


def parquet_temporaries(dump_tmp):
    """``{name: path}``: where a build writes its Parquet files before :func:`install`, beside its
    dump's temporary (``.NAME.facts.<pid>.facts-parquet.tmp``: removed with it when left behind)."""
    dump_tmp = Path(dump_tmp)
    return {name: dump_tmp.with_name(dump_tmp.name.removesuffix(".tmp") + f".{name.partition('.')[0]}-parquet.tmp")
            for name in PARQUET}


def write_dump(conn, path):
    """Write every fact of the database open on ``conn`` to ``path`` (gzipped NDJSON, bytes a
    function of the rows) and the Parquet files beside it (:func:`parquet_temporaries`); returns
    the ``meta`` entry naming them."""
    from . import parquet

    import orjson

    # The served representation (factmodel/facts.py, shared with the API): each line is what it serves.
    from factmodel.facts import FACT_COLUMNS, generic

    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    cursor.execute(f"SELECT {FACT_COLUMNS} FROM facts f ORDER BY f.sort_date, f.id")
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out:
            while rows := cursor.fetchmany(1000):
                out.write(b"".join(orjson.dumps(generic(row)) + b"\n" for row in rows))
        raw.flush()
        os.fsync(raw.fileno())
    cursor.close()
    files = {DUMP: path, **parquet_temporaries(path)}
    release_freed_memory()
    parquet.write(conn, files)
    release_freed_memory()
    return {META_KEY: json.dumps({name: {"sha256": sha256_file(p), "size": os.path.getsize(p)}
                                  for name, p in files.items()}, sort_keys=True)}


def current_manifest(db_path, meta, db_sha256, db_size):
    """The newest release's manifest in the database, with ``artifacts`` and ``dataset_version``."""
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT manifest FROM releases ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    manifest = json.loads(row[0]) if row else {}
    manifest["artifacts"] = {DATABASE: entry(DATABASE, db_sha256, db_size),
                             **{name: entry(name, f["sha256"], f["size"]) for name, f in file_entries(meta).items()}}
    manifest["dataset_version"] = meta["dataset_version"]
    return manifest


def _replace(tmp, dest):
    os.replace(tmp, dest)
    fd = os.open(Path(dest).parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_manifest(path, manifest):
    tmp = Path(path).parent / f".{Path(path).name}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as out:
            out.write(json.dumps(manifest, sort_keys=True, indent=1).encode() + b"\n")
            out.flush()
            os.fsync(out.fileno())
        _replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def install(tmp_db, target, dump_tmp, meta):
    """Move a finished build into place: dump, database, manifest (module docstring)."""
    downloads_dir(target).mkdir(exist_ok=True)
    temporaries = {DUMP: Path(dump_tmp), **parquet_temporaries(dump_tmp)}
    finals = []
    for name, found in file_entries(meta).items():
        finals.append(file_path(target, name, found["sha256"]))
        _replace(temporaries[name], finals[-1])
    manifest = current_manifest(tmp_db, meta, sha256_file(tmp_db), os.path.getsize(tmp_db))
    _replace(tmp_db, target)
    write_manifest(manifest_path(target), manifest)
    prune_dumps(target, finals, KEEP_DUMPS)
    return manifest
