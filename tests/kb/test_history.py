"""kb diff and the releases from git history (kb/diff.py, kb/history.py, kb/releases.py), in scratch git
repositories."""
import os
import shutil
import sqlite3

import pytest
import yaml

from support import SEEDS, four_changes, git, scratch_repo  # noqa: E402

from kb import diff, history, releases
from kb.build import build
from kb.cli import main


def test_kb_diff_reports_exactly_the_four_changes(tmp_path, capsys):
    repo = scratch_repo(tmp_path)
    modified, removed, (old, new), added = four_changes(repo)
    base = history.revision_content(repo, "HEAD~1")
    head = history.revision_content(repo, "HEAD")
    from kb import diff
    found = {(c.op, c.id, c.new_id) for c in diff.changes(base, head)}
    assert found == {("modified", modified, None), ("removed", removed, None), ("renamed", old, new),
                     ("added", added, None)}
    assert next(c for c in diff.changes(base, head) if c.op == "modified").fields == ("citations", "summary")

    assert main(["diff", "HEAD~1", "HEAD", "--seeds", str(repo / "seeds")]) == 0
    out = capsys.readouterr().out
    assert "- **facts**: 1 added, 1 removed, 1 renamed, 1 modified" in out
    assert "- **entities**: no change" in out and "- **sources**: no change" in out
    assert f"- `{old}` → `{new}`" in out and f"- `{added}` (" in out and f"- `{removed}` (" in out
    assert "  - `summary`: " in out and "(revised)" in out and "  - `citations[0].quote`: " in out


def test_kb_diff_of_two_databases(tmp_path, capsys):
    repo = scratch_repo(tmp_path)
    build(repo / "seeds", tmp_path / "a.sqlite", progress=False)
    modified, removed, (old, new), added = four_changes(repo)
    build(repo / "seeds", tmp_path / "b.sqlite", progress=False)
    assert main(["diff", str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "- **facts**: 1 added, 1 removed, 1 renamed, 1 modified" in out
    assert main(["diff", "no-such-revision", "--seeds", str(repo / "seeds")]) == 2


def manifests(seeds, cache=None):
    return b"\n".join(releases.manifest_bytes(m) for m, _ in releases.releases(seeds, None, cache))


def test_releases_two_clones_give_identical_manifests_and_build_writes_the_tables(tmp_path):
    repo = scratch_repo(tmp_path)
    (old_mod, old_rem, (old, new), old_add) = four_changes(repo)
    git(repo, "revert", "--no-edit", "HEAD")  # a revert is a new release
    clones = []
    for name in ("a", "b"):
        git(tmp_path, "clone", "-q", "--no-local", str(repo), name)
        clones.append(tmp_path / name / "seeds")
    first = manifests(clones[0], tmp_path / "cache")
    assert first == manifests(clones[1]) == manifests(clones[0], tmp_path / "cache")  # cached: same bytes
    found = releases.releases(clones[0])
    ids = [m["id"] for m, _ in found]
    assert len(ids) == 3 == len(set(ids)) and ids[0][:8] == ids[2][:8] and ids[0] != ids[2]
    assert [m["changes"] for m, _ in found][1] == {"added": 1, "modified": 1, "removed": 1, "renamed": 1}
    assert all(m["history"] == "full" and not m["working"] for m, _ in found)

    (clones[0] / "entities" / "people.yaml").write_text(
        (clones[0] / "entities" / "people.yaml").read_text() + "  - {id: x-person, type: person, name: X, "
        "aliases: [], description: Someone.}\n")
    build(clones[0], tmp_path / "kb.sqlite", progress=False)
    with sqlite3.connect(tmp_path / "kb.sqlite") as conn:
        rows = conn.execute("SELECT seq, id, parent, working, added FROM releases ORDER BY seq").fetchall()
        assert [r[1] for r in rows[:3]] == ids and rows[3][1].endswith("-working") and rows[3][3] == 1
        assert rows[3][2] == ids[2] and rows[3][4] == 1
        assert conn.execute("SELECT kind, id, op FROM changes WHERE seq = 4").fetchall() == [
            ("entity", "x-person", "added")]
        assert conn.execute("SELECT op, new_id FROM changes WHERE seq = 2 AND id = ?", (old,)).fetchone() == (
            "renamed", new)


def test_shallow_clone_and_outside_git(tmp_path):
    repo = scratch_repo(tmp_path)
    four_changes(repo)
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", "shallow")
    found = releases.releases(tmp_path / "shallow" / "seeds")
    assert [(m["history"], m["parent"], m["changes"]["added"]) for m, _ in found] == [("shallow", None, 0)]
    outside = tmp_path / "plain"
    shutil.copytree(SEEDS, outside)
    with pytest.raises(ValueError, match="not in a git checkout"):
        releases.releases(outside)
    ids = {"fact": ["b", "a"], "entity": ["e"], "source": []}
    counts = {"facts": 2, "entities": 1, "sources": 0}
    found = releases.releases(outside, working_built_at="2026-01-01T00:00:00Z",
                              current=("0123456789abcdef", lambda kind: iter(sorted(ids[kind])), counts))
    assert len(found) == 1 and found[0][0]["history"] == "none" and found[0][0]["id"] == "01234567-current"
    assert sorted((c.kind, c.id, c.op) for c in found[0][1]) == [
        ("entity", "e", "added"), ("fact", "a", "added"), ("fact", "b", "added")]
    assert found[0][0]["changes"] == {**dict.fromkeys(diff.OPS, 0), "added": 3}
    assert found[0][0]["counts"] == counts


def test_document_cache_gives_the_same_content(tmp_path):
    """History parses each YAML file once (cached under the SHA-256 of its bytes); the cached
    content equals a fresh read, a spoiled cache entry is read again, an edit is a new entry."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    cache = tmp_path / "cache"
    fresh = history.folder_content(seeds)
    assert history.folder_content(seeds, cache) == fresh
    entries = sorted((cache / "documents").rglob("*.json"))
    assert len(entries) == len({p.read_bytes() for p in seeds.rglob("*.yaml")})
    entries[0].write_text("{not json", encoding="utf-8")
    assert history.folder_content(seeds, cache) == fresh
    fact_file = sorted((seeds / "facts").rglob("*.yaml"))[0]
    doc = yaml.safe_load(fact_file.read_text(encoding="utf-8"))
    doc["facts"][0]["note"] = "edited for the cache test"
    fact_file.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    edited = history.folder_content(seeds, cache)
    assert edited["fact"][doc["facts"][0]["id"]]["note"] == "edited for the cache test"
    assert len(sorted((cache / "documents").rglob("*.json"))) == len(entries) + 1


def test_versions_hold_the_rows_each_release_changed_and_the_cache_keeps_them(tmp_path):
    """release_history's rows: the content of every row a release added, modified or renamed into,
    as the seeds said it; the per-commit cache gives the same, and an entry made against another
    base release is recomputed, not reused."""
    import json

    repo = scratch_repo(tmp_path)
    modified, removed, (old, new), added = four_changes(repo)
    seeds, cache = repo / "seeds", tmp_path / "cache"
    plain = releases.release_history(seeds)
    assert releases.release_history(seeds, None, cache) == plain == releases.release_history(seeds, None, cache)
    (_, _, first_rows), (_, changes, rows) = plain
    assert first_rows == history.revision_content(repo, "HEAD~1")  # the first release added every row
    head = history.revision_content(repo, "HEAD")
    assert rows == {"fact": {i: head["fact"][i] for i in sorted((modified, new, added))}, "entity": {}, "source": {}}
    assert {(c.op, c.id) for c in changes} == {("modified", modified), ("removed", removed), ("renamed", old),
                                              ("added", added)}
    entry = cache / releases.CACHE_FORMAT / f"{git(repo, 'rev-parse', 'HEAD').strip()}.json"
    cached = json.loads(entry.read_text())
    assert cached["base"] == git(repo, "rev-parse", "HEAD~1").strip() and cached["rows"] == rows
    entry.write_text(json.dumps(dict(cached, base="another-commit", rows={})))
    assert releases.release_history(seeds, None, cache) == plain
    assert json.loads(entry.read_text())["base"] == cached["base"]


def test_seeds_the_checkout_ignores_have_no_git_history(tmp_path):
    """Seeds generated into an ignored folder of a checkout (as the benchmarks do under var/) are
    not the checkout's: no release from its commits (they never held these seeds), one release that
    adds every id, like outside git; their built_at follows the files, not the last commit."""
    import sqlite3

    from kb.built_at import built_at_epoch

    repo = scratch_repo(tmp_path)
    (repo / ".gitignore").write_text("var/\n", encoding="utf-8")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "ignore var")
    seeds = repo / "var" / "generated" / "seeds"
    shutil.copytree(SEEDS, seeds)
    with pytest.raises(ValueError, match="not in a git checkout"):
        releases.releases(seeds)
    build(seeds, tmp_path / "kb.sqlite", progress=False)
    conn = sqlite3.connect(tmp_path / "kb.sqlite")
    assert [r[0] for r in conn.execute("SELECT history FROM releases")] == ["none"]
    facts = {r[0] for r in conn.execute("SELECT id FROM facts")}
    assert {r[0] for r in conn.execute("SELECT id FROM changes WHERE kind = 'fact' AND op = 'added'")} == facts
    later = int(git(repo, "log", "-1", "--format=%ct").strip()) + 86400 * 400
    os.utime(next(seeds.rglob("*.yaml")), (later, later))
    assert built_at_epoch(seeds) == later


def test_a_rebuild_loads_only_the_newest_fingerprint_and_recomputes_a_missing_one(tmp_path):
    """The per-commit cache keeps the newest release's fingerprint apart from its changes and rows: a rebuild
    with nothing new reads no fingerprint at all, and one more commit needs only the newest release's,
    recomputed from git when it is missing. Either way the releases are those computed without a cache."""
    repo = scratch_repo(tmp_path)
    seeds, cache = repo / "seeds", tmp_path / "cache"
    four_changes(repo)
    plain = releases.release_history(seeds)
    assert releases.release_history(seeds, None, cache) == plain
    prints = sorted((cache / releases.CACHE_FORMAT / "prints").glob("*.json"))
    assert [p.stem for p in prints] == [plain[-1][0]["commit"]]  # the others are pruned: never read again
    for path in prints:
        path.unlink()
    assert releases.release_history(seeds, None, cache) == plain  # nothing new: no fingerprint needed
    assert not list((cache / releases.CACHE_FORMAT / "prints").glob("*.json"))
    four_changes(repo)  # one more commit: its base's fingerprint is recomputed
    again = releases.release_history(seeds, None, cache)
    assert again == releases.release_history(seeds) and len(again) == len(plain) + 1
    assert [c.op for c in again[-1][1]].count("renamed") == 1


@pytest.mark.parametrize("value", ["plain", "quote \" and \\\\ backslash", "tab\tnew\nline\x01\x7f", "Erdoğan — «Şükrü» 🙂",
                                   "\u2028\u2029", "", 7, 2.5, None, True, ["a", {"b": 1, "a": "é"}], {"z": [1], "a": None}])
def test_field_hashes_are_those_of_the_sorted_json_text(value):
    """A field's fingerprint is the hash of its JSON text (sort_keys, ensure_ascii=False): strings take a
    shortcut to the same text, so release ids and digests do not change."""
    import hashlib
    import json

    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    assert releases._hash(value) == hashlib.sha256(text.encode()).hexdigest()[:16]
