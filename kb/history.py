"""The knowledge base's history: its states as *content* (its releases from git: kb/releases.py).

**Content.** :func:`read_files` turns the files of a seeds folder (``facts/**/*.yaml``,
``entities/*.yaml`` or ``entities.yaml``, ``sources/*.yaml`` + ``.txt``) into
``{kind: {id: {field: value}}}``, leniently: plain YAML, no rule checked, anything it cannot
read skipped. That is what makes an old commit readable however the rules have grown since.
A state comes from the working folder (:func:`folder_content`), a git revision
(:func:`revision_content`, through ``git archive``) or a built database (:func:`database_content`).
"""
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
from datetime import date, datetime
from pathlib import Path, PurePosixPath

import yaml

from . import diff

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# ---- content ----------------------------------------------------------------------------------
def _plain(value):
    """YAML values as JSON would have them (dates as ISO strings), ``None`` fields dropped."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _load(data):
    try:
        return yaml.load(data, Loader=_Loader)
    except (yaml.YAMLError, UnicodeDecodeError, ValueError):
        return None


def read_cache(path):
    """The JSON value a cache file holds, or None when it is missing or spoiled."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def write_cache(path, value, sort_keys=False):
    """Write ``value`` as JSON to the cache file ``path``, atomically (beside, then renamed)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value, sort_keys=sort_keys, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache folder only costs time


def _document(data, cache_dir=None):
    """The YAML document in ``data`` as plain JSON values (None if unreadable). With ``cache_dir``,
    kept there as JSON under the SHA-256 of ``data``: a file that did not change between two
    commits (or between HEAD and the working folder) is parsed once."""
    if cache_dir is None:
        return _plain(_load(data))
    key = hashlib.sha256(data).hexdigest()
    path = Path(cache_dir) / "documents" / key[:2] / f"{key}.json"
    doc = read_cache(path)
    if doc is None:
        doc = _plain(_load(data))
        write_cache(path, doc)
    return doc


def read_files(files, cache_dir=None):
    """The content of a seeds folder given as ``{relative posix path: bytes}`` (``cache_dir``:
    see :func:`_document`)."""
    content = {kind: {} for kind in diff.KINDS}
    texts = {}
    for name, data in files.items():
        path = PurePosixPath(name)
        if path.suffix == ".txt" and path.parts[0] == "sources":
            texts[path.stem] = hashlib.sha256(data).hexdigest()
    for name in sorted(files):
        path = PurePosixPath(name)
        if path.suffix != ".yaml":
            continue
        doc = _document(files[name], cache_dir)
        if path.parts[0] == "sources" and isinstance(doc, dict):
            row = dict(doc)
            sid = row.get("id") if isinstance(row.get("id"), str) else path.stem
            row["id"] = sid
            if path.stem in texts:
                row["text_sha256"] = texts[path.stem]
            content["source"].setdefault(sid, row)
            continue
        if not isinstance(doc, dict):
            continue
        for key, kind in (("facts", "fact"), ("entities", "entity")):
            items = doc.get(key)
            if not isinstance(items, list):
                continue
            for item in items:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    content[kind].setdefault(item["id"], item)
    return content


def folder_content(seeds_dir, cache_dir=None):
    root = Path(seeds_dir)
    return read_files({p.relative_to(root).as_posix(): p.read_bytes()
                       for p in sorted(root.rglob("*")) if p.is_file() and p.suffix in (".yaml", ".txt")},
                      cache_dir)


def _git(cwd, *args, input=None, text=True):
    """``git ARGS`` in ``cwd``: its stdout, or None when git fails or is missing."""
    try:
        run = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=text, input=input,
                             timeout=300)
    except OSError:
        return None
    return run.stdout if run.returncode == 0 else None


def revision_content(repo, rev, seeds_path="seeds", cache_dir=None):
    """The content of ``seeds_path`` (relative to the repository ``repo``) at revision ``rev``."""
    data = _git(repo, "archive", "--format=tar", rev, "--", seeds_path, text=False)
    if data is None:
        return read_files({})
    files = {}
    prefix = seeds_path.rstrip("/") + "/"
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar:
            if member.isfile() and member.name.startswith(prefix):
                files[member.name[len(prefix):]] = tar.extractfile(member).read()
    return read_files(files, cache_dir)


def database_content(db_path):
    """The content of a built database (its rows, in the shape of the seeds as far as it goes)."""
    content = {kind: {} for kind in diff.KINDS}
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        former = {}
        for row in conn.execute("SELECT old_id, kind, new_id FROM redirects ORDER BY old_id"):
            former.setdefault((row["kind"], row["new_id"]), []).append(row["old_id"])
        for row in conn.execute("SELECT id, type, summary, date, date_precision, status, note, attributes, "
                                "citations FROM facts"):
            fact = {k: row[k] for k in ("id", "type", "summary", "date", "date_precision", "status", "note")}
            fact.update(json.loads(row["attributes"]))
            fact["citations"] = json.loads(row["citations"])
            fact["former_ids"] = former.get(("fact", row["id"]))
            content["fact"][row["id"]] = _plain(fact)
        for row in conn.execute("SELECT id, type, name, aliases, description FROM entities"):
            entity = dict(row)
            entity["aliases"] = json.loads(entity["aliases"])
            entity["former_ids"] = former.get(("entity", row["id"]))
            content["entity"][row["id"]] = _plain(entity)
        for row in conn.execute("SELECT id, title, publisher, published, url, language, note, text FROM sources"):
            source = dict(row)
            source["text_sha256"] = hashlib.sha256(source.pop("text").encode()).hexdigest()
            content["source"][row["id"]] = _plain(source)
    finally:
        conn.close()
    return content


def is_database(path):
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False
