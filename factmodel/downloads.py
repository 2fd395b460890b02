"""The files of a dataset, as the build writes them, the API serves them and ``deploy/publish.py``
rolls them out (docs/releases.md, "Downloads"). Standard library only.

For a database at ``DIR/NAME`` (``var/kb.sqlite``):

* ``DIR/NAME``: the SQLite database; its ``meta`` key ``downloads`` names its dump
  (``{"facts.ndjson.gz": {"sha256", "size"}}``);
* ``DIR/NAME.downloads/facts-<sha256>.ndjson.gz``: the dump, named by its SHA-256;
* ``DIR/NAME.manifest.json``: the current release's manifest with ``artifacts`` and ``dataset_version``.
"""
import hashlib
import json
import re
from pathlib import Path

DATABASE = "kb.sqlite"  # the download names, whatever the files are called on disk
DUMP = "facts.ndjson.gz"
NAMES = (DATABASE, DUMP)
MEDIA_TYPES = {DATABASE: "application/vnd.sqlite3", DUMP: "application/gzip"}
META_KEY = "downloads"


def downloads_dir(db_path):
    db_path = Path(db_path)
    return db_path.parent / f"{db_path.name}.downloads"


def dump_path(db_path, sha256):
    return downloads_dir(db_path) / f"facts-{sha256}.ndjson.gz"


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


def prune_dumps(db_path, current, keep=2):
    """Remove the dumps beside ``db_path`` but ``current`` and the newest others, ``keep`` in all
    (a server may still be on the database before)."""
    folder = downloads_dir(db_path)
    if not folder.is_dir():
        return
    others = sorted((p for p in folder.iterdir() if re.fullmatch(r"facts-[0-9a-f]{64}\.ndjson\.gz", p.name)
                     and p.name != Path(current).name), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in others[keep - 1:]:
        old.unlink(missing_ok=True)
