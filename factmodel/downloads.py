"""The files of a dataset, as the build writes them, the API serves them and ``deploy/publish.py``
rolls them out (docs/releases.md, "Downloads"). Standard library only.

For a database at ``DIR/NAME`` (``var/kb.sqlite``):

* ``DIR/NAME``: the SQLite database; its ``meta`` key ``downloads`` names its dump and its
  Parquet files (``{"facts.ndjson.gz": {"sha256", "size"}, "facts.parquet": {…}, …}``);
* ``DIR/NAME.downloads/facts-<sha256>.ndjson.gz``: the dump, named by its SHA-256; likewise
  ``facts-<sha256>.parquet``, ``citations-<sha256>.parquet``, ``entities-<sha256>.parquet``
  (issue 32, kb/parquet.py);
* ``DIR/NAME.manifest.json``: the current release's manifest with ``artifacts`` and ``dataset_version``.
"""
import hashlib
import json
import re
from pathlib import Path

DATABASE = "kb.sqlite"  # the download names, whatever the files are called on disk
DUMP = "facts.ndjson.gz"
PARQUET = ("facts.parquet", "citations.parquet", "entities.parquet")  # issue 32: kb/parquet.py
NAMES = (DATABASE, DUMP, *PARQUET)
PARQUET_TYPE = "application/vnd.apache.parquet"  # registered with IANA (2024)
MEDIA_TYPES = {DATABASE: "application/vnd.sqlite3", DUMP: "application/gzip", **{n: PARQUET_TYPE for n in PARQUET}}
META_KEY = "downloads"


def downloads_dir(db_path):
    db_path = Path(db_path)
    return db_path.parent / f"{db_path.name}.downloads"


def dump_path(db_path, sha256):
    return file_path(db_path, DUMP, sha256)


def file_path(db_path, name, sha256):
    """Where the file downloaded as ``name`` (``facts.parquet``) lies: ``facts-<sha256>.parquet``."""
    stem, _, ext = name.partition(".")
    return downloads_dir(db_path) / f"{stem}-{sha256}.{ext}"


def manifest_path(db_path):
    db_path = Path(db_path)
    return db_path.parent / f"{db_path.name}.manifest.json"


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def entry(name, sha256, size):
    """One artifact as manifests and ``/v1/downloads`` show it."""
    return {"sha256": sha256, "size": size, "media_type": MEDIA_TYPES[name], "url": f"/v1/downloads/{name}"}


def dump_entry(meta):
    """``{"sha256", "size"}`` of the dump a database's ``meta`` names, or None (built before downloads)."""
    raw = meta.get(META_KEY)
    return json.loads(raw).get(DUMP) if raw else None


def file_entries(meta):
    """``{name: {"sha256", "size"}}`` of every file beside the database its ``meta`` names, in
    :data:`NAMES` order (``{}`` for a database built before downloads)."""
    raw = meta.get(META_KEY)
    named = json.loads(raw) if raw else {}
    return {name: named[name] for name in NAMES if name in named}


def prune_dumps(db_path, current, keep=2):
    """Remove the files beside ``db_path`` but ``current`` (a path, or several: one per download
    name) and the newest others of each name, ``keep`` in all (a server may still be on the
    database before)."""
    folder = downloads_dir(db_path)
    if not folder.is_dir():
        return
    current = {Path(c).name for c in ([current] if isinstance(current, (str, Path)) else current)}
    for name in NAMES[1:]:
        stem, _, ext = name.partition(".")
        pattern = re.escape(stem) + r"-[0-9a-f]{64}\." + re.escape(ext)
        others = sorted((p for p in folder.iterdir() if re.fullmatch(pattern, p.name) and p.name not in current),
                        key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in others[keep - 1:]:
            old.unlink(missing_ok=True)
