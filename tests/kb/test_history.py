"""kb diff and the releases from git history (kb/diff.py, kb/history.py), in scratch git repositories."""
import json
import os
import shutil
import sqlite3
import subprocess

import yaml

from support import SEEDS  # noqa: E402

from kb import history
from kb.build import build
from kb.cli import main

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z", "GIT_CONFIG_GLOBAL": os.devnull}


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def scratch_repo(tmp_path):
    """A git repository holding a copy of the seeds, one commit."""
    repo = tmp_path / "repo"
    shutil.copytree(SEEDS, repo / "seeds")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "seeds")
    return repo


def four_changes(repo):
    """Modify one fact, remove another, rename a third (former_ids), add a fourth; commit.
    Return their ids ``(modified, removed, (old, new), added)``."""
    path = sorted((repo / "seeds" / "facts").glob("*.yaml"))[0]
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    facts = doc["facts"]
    referenced = json.dumps(facts)  # keep the fact others point at out of it
    modified, removed, renamed = [f for f in facts if referenced.count(f'"{f["id"]}"') == 1][:3]
    modified["summary"] += " (revised)"
    modified["citations"][0]["quote"] = modified["citations"][0]["quote"][:20]
    facts.remove(removed)
    old_id = renamed["id"]
    renamed["id"] = old_id + "-renamed"
    renamed["former_ids"] = [old_id]
    added = dict(modified, id=modified["id"] + "-new", summary="A new fact.")
    facts.append(added)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "four changes")
    return modified["id"], removed["id"], (old_id, renamed["id"]), added["id"]


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
