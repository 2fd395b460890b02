"""The knowledge base's releases from git history (their contents read by kb/history.py).

**Releases.** Every first-parent commit whose ``seeds/`` (or ``schema/``) tree differs from its
parent's is a release (:func:`releases`); uncommitted changes make a ``working`` release on top,
and outside git there is one release, the current one. A release's id is
``<content digest, 8 hex>-<commit, 10 hex>`` (``-working`` for uncommitted changes), so a revert is
a new release. Each commit's fingerprint (field hashes per id) and the content of the rows it
changed (for the ``versions`` table: a fact's history) are cached under ``var/releases-cache/`` so
rebuilding stays fast; the manifests depend only on the commits, so two clones agree on them byte
for byte.
"""
import hashlib
import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from . import diff
from .history import _git, folder_content, read_cache, revision_content, write_cache

CACHE_FORMAT = "v3"  # v3: {"base", "digest", "counts", "changes", "rows"} + prints/<commit>.json apart
# (v2: {"prints", "base", "rows"}: every build loaded every commit's fingerprints; v1: the prints alone)


# ---- fingerprints (what the cache keeps per commit) -------------------------------------------
_encode_str = json.encoder.encode_basestring  # what json.dumps(a str, ensure_ascii=False) returns, minus its overhead


def _hash(value):
    """16 hex of the SHA-256 of ``json.dumps(value, sort_keys=True, ensure_ascii=False)`` (strings, most
    fields, are encoded directly: the same text, in a fraction of the time)."""
    text = _encode_str(value) if type(value) is str else json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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
    if not (_git(root, "ls-files", "--", paths[0]) or "").strip():
        return None  # seeds the checkout does not track (ignored, or never added): not its history
    if schema_dir is not None:
        schema = Path(schema_dir).resolve()
        if schema.is_relative_to(root):
            paths.append(schema.relative_to(root).as_posix())
    return root, paths[0], paths


def _iso(epoch):
    return datetime.fromtimestamp(int(epoch), timezone.utc).isoformat().replace("+00:00", "Z")


def _changed_rows(content, prints, base_prints):
    """``{kind: {id: row}}``: the rows of ``content`` whose fingerprint is not the one in ``base_prints``
    (added, modified, renamed into), as the seeds said them."""
    return {kind: {rid: rows[rid] for rid in sorted(rows)
                   if base_prints.get(kind, {}).get(rid) != prints[kind][rid]} for kind, rows in content.items()}


def snapshot(content, base_prints):
    """What a release needs of one state: its fingerprint (``prints``; ``digest`` and ``counts`` of it),
    its ``changes`` since ``base_prints`` and the ``rows`` that changed."""
    prints = fingerprint(content)
    return {"prints": prints, "digest": digest(prints), "counts": _count(prints),
            "changes": diff.changes(base_prints, prints), "rows": _changed_rows(content, prints, base_prints)}


def _cached(cache_dir, commit, base, compute):
    """The :func:`snapshot` of ``commit`` against the release commit ``base`` (None: the first),
    from ``cache_dir`` when it holds one made against the same base. The fingerprint is kept apart
    (``prints/<commit>.json``) and not loaded here: a rebuild needs only the newest release's, and only
    when a commit after it is new (:func:`_prints`)."""
    if cache_dir is None:
        return compute()
    path = Path(cache_dir) / CACHE_FORMAT / f"{commit}.json"
    found = read_cache(path)
    if isinstance(found, dict) and found.get("base") == base and {"digest", "counts", "changes", "rows"} <= set(found):
        return dict(found, changes=[diff.Change(k, i, op, tuple(fields), new) for k, i, op, fields, new in
                                    found["changes"]])
    found = dict(compute(), base=base)
    write_cache(path.parent / "prints" / f"{commit}.json", found["prints"], sort_keys=True)
    write_cache(path, {k: v for k, v in found.items() if k != "prints"}, sort_keys=True)
    return found


def _prints(cache_dir, commit, compute):
    """The fingerprint of ``commit``: from the cache, else ``compute()``."""
    found = read_cache(Path(cache_dir) / CACHE_FORMAT / "prints" / f"{commit}.json") if cache_dir is not None else None
    return found if isinstance(found, dict) else compute()


def _count(prints):
    return {diff.PLURAL[kind]: len(prints.get(kind, {})) for kind in diff.KINDS}


def releases(seeds_dir, schema_dir=None, cache_dir=None, working_built_at=None, current=None):
    """Every release, oldest first: ``(manifest dict, [Change])`` pairs. The manifest has
    ``id, parent, commit, built_at, history (full|shallow|none), working, counts, changes``."""
    return [(manifest, found) for manifest, found, _ in release_history(seeds_dir, schema_dir, cache_dir,
                                                                        working_built_at, current)]


class _AllAdded:
    """The changes of a release with no parent: every id ``ids(kind)`` yields (in id order) added,
    in the order of :func:`diff.changes`, read each time they are iterated rather than held (at
    1M facts, the ids alone took ~180 MB; the Change tuples with the dict and sets diff.changes
    builds ~280 MB more). ``counts`` is ``{kind: number of ids}``, known to the caller (the build
    counted its rows), so the ids are walked once, when written."""

    def __init__(self, ids, counts):
        self.ids = ids
        self.counts = counts

    def __iter__(self):
        return (diff.Change(kind, rid, "added", (), None) for kind in diff.KINDS for rid in self.ids(kind))

    def __len__(self):
        return sum(self.counts.values())


def release_history(seeds_dir, schema_dir=None, cache_dir=None, working_built_at=None, current=None):
    """:func:`releases` as ``(manifest, [Change], rows)`` triples, ``rows`` the content of every row
    the release added, modified or renamed into (``{kind: {id: row}}``): what ``versions`` holds.

    ``current``, ``(dataset version, ids, counts)`` of the dataset being built, ``ids(kind)`` an
    iterator of that kind's ids in id order and ``counts`` ``{plural: number}`` (as the build's
    ``counts``; used only outside git), is the seeds folder outside git (required
    there): its one release adds every id, so reading the seeds a second time for field fingerprints
    and rows would be wasted (at 1M facts, minutes and gigabytes); its id is ``<dataset version,
    8 hex>-current`` and its versions have no content (the current row is the one served)."""
    where = _where(seeds_dir, schema_dir)
    out = []
    newest = {}  # the newest release's fingerprint, once needed (a new commit or uncommitted changes)

    def base_prints():
        if not out:
            return {}
        if "prints" not in newest:
            commit = out[-1][0]["commit"]
            newest["prints"] = _prints(cache_dir, commit, lambda: fingerprint(
                revision_content(root, commit, seeds_path, cache_dir)))
        return newest["prints"]

    def add(state, commit, built_at, history, working, baseline=False, content_digest=None):
        parent = out[-1][0] if out else None
        found = [] if baseline else state["changes"]
        content_digest = content_digest or state["digest"]
        rid = f"{content_digest[:8]}-{'working' if working else commit[:10] if commit else 'current'}"
        manifest = {"id": rid, "parent": parent["id"] if parent else None, "commit": commit,
                    "built_at": built_at, "history": history, "working": working,
                    "counts": state["counts"], "changes": state.get("tally") or diff.counts(found), "artifacts": {}}
        out.append((manifest, found, {} if baseline else state["rows"]))
        newest.clear()
        if "prints" in state:
            newest["prints"] = state["prints"]

    if where is None and current is not None:
        version, ids, counts = current
        added = _AllAdded(ids, {kind: counts[diff.PLURAL[kind]] for kind in diff.KINDS})
        add({"digest": version, "counts": {diff.PLURAL[kind]: added.counts[kind] for kind in diff.KINDS},
             "changes": added, "tally": dict(diff.counts([]), added=len(added)), "rows": {}},
            None, working_built_at, "none", False)
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
            if state[0].endswith(":" + paths[0]) and not out:
                continue  # before the seeds existed (a commit of the schema alone is no dataset)
            base = out[-1][0]["commit"] if out else None
            found = _cached(cache_dir, commit, base, lambda c=commit: snapshot(
                revision_content(root, c, seeds_path, cache_dir), base_prints()))
            add(found, commit, _iso(stamp), history, False, baseline=shallow and not out)
        status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *paths)
        if status:
            head = out[-1][0]["commit"] if out else None
            add(snapshot(folder_content(seeds_dir, cache_dir), base_prints()), head, working_built_at, history, True)
        if out:
            _prune_prints(cache_dir, out[-1][0]["commit"])
    return out


def _prune_prints(cache_dir, keep):
    """Delete the cached fingerprints of every commit but ``keep``, the newest release's: no
    later build reads another (:func:`_prints`; one is recomputed if history is rewritten), and
    each holds a hash per field of every row (tens of MB at 100k facts)."""
    if cache_dir is None:
        return
    for path in (Path(cache_dir) / CACHE_FORMAT / "prints").glob("*.json"):
        if path.stem != keep:
            path.unlink(missing_ok=True)


def manifest_bytes(manifest):
    """The manifest as the bytes written to disk and served: sorted keys, one line."""
    return json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


# ---- the database tables (docs/database.md) ----------------------------------------------------
def write_tables(conn, found):
    """Write ``releases``, ``changes`` and ``versions`` (``found`` from :func:`release_history`; pairs
    from :func:`releases` write no versions) with ``conn``."""
    conn.execute("CREATE TABLE releases (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, parent TEXT, "
                 "commit_sha TEXT, built_at TEXT, history TEXT NOT NULL, working INTEGER NOT NULL, "
                 "added INTEGER NOT NULL, modified INTEGER NOT NULL, removed INTEGER NOT NULL, "
                 "renamed INTEGER NOT NULL, counts TEXT NOT NULL, manifest TEXT NOT NULL)")
    conn.execute("CREATE TABLE changes (seq INTEGER NOT NULL, release TEXT NOT NULL, kind TEXT NOT NULL, "
                 "id TEXT NOT NULL, op TEXT NOT NULL, fields TEXT NOT NULL, new_id TEXT, "
                 "PRIMARY KEY (seq, kind, id))")
    conn.execute("CREATE INDEX changes_removed ON changes (kind, id, op)")
    conn.execute("CREATE INDEX changes_renamed ON changes (kind, new_id, seq)")
    conn.execute("CREATE TABLE versions (seq INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, "
                 "content TEXT NOT NULL, PRIMARY KEY (seq, kind, id))")
    for seq, (manifest, changes, *rest) in enumerate(found, 1):
        rows = rest[0] if rest else {}
        tally = manifest["changes"]
        conn.execute("INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            seq, manifest["id"], manifest["parent"], manifest["commit"], manifest["built_at"], manifest["history"],
            int(manifest["working"]), tally["added"], tally["modified"], tally["removed"], tally["renamed"],
            json.dumps(manifest["counts"], sort_keys=True), manifest_bytes(manifest).decode()))
        # generators, not lists: a build's one release adds every id (1M rows at 1M facts)
        conn.executemany("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?)", (
            (seq, manifest["id"], c.kind, c.id, c.op, json.dumps(list(c.fields)), c.new_id) for c in changes))
        if not rows:
            continue  # no content to keep (the build's own release, or pairs from releases())
        # the content of each version a change made (the row as the seeds said it), for a fact's history;
        # once per row (two former ids renamed into one new id are two changes, one version)
        made = {(c.kind, c.new_id or c.id) for c in changes if c.op != "removed"}
        conn.executemany("INSERT INTO versions VALUES (?, ?, ?, ?)", (
            (seq, kind, rid, json.dumps(rows[kind][rid], sort_keys=True, ensure_ascii=False, separators=(",", ":")))
            for kind, rid in sorted(made) if rid in rows.get(kind, {})))


def _known_versions(previous):
    """``[(dataset version, release id)]`` the database at ``previous`` knew: its ``dataset_versions``
    rows, else (a database built before them) its own version and newest release. ``[]`` without one."""
    if previous is None or not Path(previous).is_file():
        return []
    try:
        old = sqlite3.connect(f"file:{Path(previous).resolve()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        try:
            return old.execute("SELECT version, release FROM dataset_versions").fetchall()
        except sqlite3.Error:
            row = old.execute("SELECT (SELECT value FROM meta WHERE key = 'dataset_version'), "
                              "(SELECT id FROM releases ORDER BY seq DESC LIMIT 1)").fetchone()
            return [row] if row and row[0] and row[1] else []
    except sqlite3.Error:  # not a database of ours: nothing to hand on
        return []
    finally:
        old.close()


def write_dataset_versions(conn, version, previous=None):
    """Write ``dataset_versions``: which release each dataset version (``X-Dataset-Version``) was, so
    ``since=``/``changed_since=`` take either. This build's ``version`` is its newest release; the
    versions the database at ``previous`` (the one this build replaces) knew are handed on, those
    whose release this history still has. A fresh checkout knows its own version only."""
    conn.execute("CREATE TABLE dataset_versions (version TEXT PRIMARY KEY, release TEXT NOT NULL)")
    ids = {row[0] for row in conn.execute("SELECT id FROM releases")}
    newest = conn.execute("SELECT id FROM releases ORDER BY seq DESC LIMIT 1").fetchone()
    known = {v: r for v, r in _known_versions(previous) if r in ids}
    if newest is not None:
        known[version] = newest[0]
    conn.executemany("INSERT INTO dataset_versions VALUES (?, ?)", sorted(known.items()))


def default_cache_dir(db_path):
    return Path(os.environ.get("KB_RELEASES_CACHE") or Path(db_path).resolve().parent / "releases-cache")
