"""The knowledge base's releases from git history (their contents read by kb/history.py).

**Releases.** Every first-parent commit whose ``seeds/`` (or ``schema/``) tree differs from its
parent's is a release (:func:`releases`); uncommitted changes make a ``working`` release on top,
and outside git there is one release, the current one. A release's id is
``<content digest, 8 hex>-<commit, 10 hex>`` (``-working`` for uncommitted changes), so a revert is
a new release. Each commit's fingerprint (field hashes per id) is cached under
``var/releases-cache/`` so rebuilding stays fast; the manifests depend only on the commits, so
two clones agree on them byte for byte.
"""
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from . import diff
from .history import _git, folder_content, revision_content

CACHE_FORMAT = "v1"


# ---- fingerprints (what the cache keeps per commit) -------------------------------------------
def _hash(value):
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def fingerprint(content):
    """``{kind: {id: {field: hash}}}`` (``former_ids`` kept as is: renames need it)."""
    return {kind: {rid: {k: (v if k == "former_ids" else _hash(v)) for k, v in sorted(row.items())}
                   for rid, row in sorted(rows.items())} for kind, rows in content.items()}


def digest(prints):
    return hashlib.sha256(json.dumps(prints, sort_keys=True).encode()).hexdigest()


# ---- releases ---------------------------------------------------------------------------------
def _where(seeds_dir, schema_dir):
    """``(repository root, seeds path, [paths that make a release])`` or None outside git."""
    seeds = Path(seeds_dir).resolve()
    top = _git(seeds, "rev-parse", "--show-toplevel")
    if not top or _git(seeds, "rev-parse", "--verify", "-q", "HEAD") is None:
        return None
    root = Path(top.strip()).resolve()
    paths = [seeds.relative_to(root).as_posix()]
    if schema_dir is not None:
        schema = Path(schema_dir).resolve()
        if schema.is_relative_to(root):
            paths.append(schema.relative_to(root).as_posix())
    return root, paths[0], paths


def _iso(epoch):
    return datetime.fromtimestamp(int(epoch), timezone.utc).isoformat().replace("+00:00", "Z")


def _cached(cache_dir, commit, compute):
    if cache_dir is None:
        return compute()
    path = Path(cache_dir) / CACHE_FORMAT / f"{commit}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    prints = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(prints, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache folder only costs time
    return prints


def _count(prints):
    return {diff.PLURAL[kind]: len(prints.get(kind, {})) for kind in diff.KINDS}


def releases(seeds_dir, schema_dir=None, cache_dir=None, working_built_at=None, current=None):
    """Every release, oldest first: ``(manifest dict, [Change])`` pairs. The manifest has
    ``id, parent, commit, built_at, history (full|shallow|none), working, counts, changes``.

    ``current``, ``(dataset version, {kind: [id, ...]})`` of the dataset being built, is the
    seeds folder outside git (required there): its one release adds every id, so reading the
    seeds a second time for field fingerprints would be wasted (at 1M facts, minutes and
    gigabytes), and its id is ``<dataset version, 8 hex>-current``."""
    where = _where(seeds_dir, schema_dir)
    out = []

    def add(prints, commit, built_at, history, working, baseline=False, content_digest=None):
        parent = out[-1][0] if out else None
        found = [] if baseline else diff.changes(parent["_prints"] if parent else {}, prints)
        content_digest = content_digest or digest(prints)
        rid = f"{content_digest[:8]}-{'working' if working else commit[:10] if commit else 'current'}"
        manifest = {"id": rid, "parent": parent["id"] if parent else None, "commit": commit,
                    "built_at": built_at, "history": history, "working": working,
                    "counts": _count(prints), "changes": diff.counts(found), "artifacts": {}, "_prints": prints}
        out.append((manifest, found))

    if where is None and current is not None:
        unread = {}  # no fields: with no parent release every id is simply added
        add({kind: dict.fromkeys(current[1].get(kind, ()), unread) for kind in diff.KINDS},
            None, working_built_at, "none", False, content_digest=current[0])
    elif where is None:
        raise ValueError(f"{seeds_dir} is not in a git checkout: its one release is the build's "
                         "(kb build; GET /v1/releases)")
    else:
        root, seeds_path, paths = where
        shallow = (_git(root, "rev-parse", "--is-shallow-repository") or "").strip() == "true"
        history = "shallow" if shallow else "full"
        log = _git(root, "log", "--first-parent", "--reverse", "--format=%H %ct", "HEAD") or ""
        commits = [line.split() for line in log.splitlines() if line.strip()]
        # the trees of the release paths at every commit, in one git call
        queries = "".join(f"{c}:{p}\n" for c, _ in commits for p in paths)
        trees = (_git(root, "cat-file", "--batch-check", input=queries) or "").splitlines()
        previous = None
        for i, (commit, stamp) in enumerate(commits):
            state = tuple(line.split()[0] for line in trees[i * len(paths):(i + 1) * len(paths)])
            if state == previous:
                continue
            previous = state
            if all(s.endswith(":" + p) for s, p in zip(state, paths)) and not out:
                continue  # before the seeds existed
            prints = _cached(cache_dir, commit,
                             lambda c=commit: fingerprint(revision_content(root, c, seeds_path, cache_dir)))
            add(prints, commit, _iso(stamp), history, False, baseline=shallow and not out)
        status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *paths)
        if status:
            head = out[-1][0]["commit"] if out else None
            add(fingerprint(folder_content(seeds_dir, cache_dir)), head, working_built_at, history, True)
    for manifest, _ in out:
        del manifest["_prints"]
    return out


def manifest_bytes(manifest):
    """The manifest as the bytes written to disk and served: sorted keys, one line."""
    return json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


# ---- the database tables (docs/database.md) ----------------------------------------------------
def write_tables(conn, found):
    """Write ``releases`` and ``changes`` (``found`` from :func:`releases`) with ``conn``."""
    conn.execute("CREATE TABLE releases (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, parent TEXT, "
                 "commit_sha TEXT, built_at TEXT, history TEXT NOT NULL, working INTEGER NOT NULL, "
                 "added INTEGER NOT NULL, modified INTEGER NOT NULL, removed INTEGER NOT NULL, "
                 "renamed INTEGER NOT NULL, counts TEXT NOT NULL, manifest TEXT NOT NULL)")
    conn.execute("CREATE TABLE changes (seq INTEGER NOT NULL, release TEXT NOT NULL, kind TEXT NOT NULL, "
                 "id TEXT NOT NULL, op TEXT NOT NULL, fields TEXT NOT NULL, new_id TEXT, "
                 "PRIMARY KEY (seq, kind, id))")
    conn.execute("CREATE INDEX changes_removed ON changes (kind, id, op)")
    for seq, (manifest, changes) in enumerate(found, 1):
        tally = manifest["changes"]
        conn.execute("INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            seq, manifest["id"], manifest["parent"], manifest["commit"], manifest["built_at"], manifest["history"],
            int(manifest["working"]), tally["added"], tally["modified"], tally["removed"], tally["renamed"],
            json.dumps(manifest["counts"], sort_keys=True), manifest_bytes(manifest).decode()))
        conn.executemany("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?)", [
            (seq, manifest["id"], c.kind, c.id, c.op, json.dumps(list(c.fields)), c.new_id) for c in changes])


def default_cache_dir(db_path):
    return Path(os.environ.get("KB_RELEASES_CACHE") or Path(db_path).resolve().parent / "releases-cache")
