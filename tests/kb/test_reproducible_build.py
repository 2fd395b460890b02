"""Builds are reproducible: ``built_at`` (served as Last-Modified) comes from the inputs, not the
clock (kb.built_at.built_at_epoch), so two builds of the same commit write byte-identical databases
and replicas built apart agree on Last-Modified."""
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone

from kb.build import build
from kb.built_at import built_at_epoch
from factmodel.vocabulary import SCHEMA_DIR
from support import ROOT, SEEDS


def _built_at(db):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT value FROM meta WHERE key = 'built_at'").fetchone()[0]
    finally:
        conn.close()


def _iso(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z")


def test_two_builds_of_the_same_commit_are_byte_identical(tmp_path):
    """Two `kb build` processes (as `make db` runs it), a second apart, into different folders
    (different temporary names): the same bytes."""
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    outputs = []
    for run in ("one", "two"):
        target = tmp_path / run / "kb.sqlite"
        subprocess.run([sys.executable, "-m", "kb.cli", "build", "--db", str(target)], cwd=ROOT, env=env,
                       check=True, capture_output=True, timeout=300)
        outputs.append(target.read_bytes())
        time.sleep(1.1)  # a clock-derived built_at would differ
    assert outputs[0] == outputs[1]


def test_built_at_is_the_seeds_last_commit_time_in_a_clean_checkout(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "seeds", "schema"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout
    committed = subprocess.run(["git", "log", "-1", "--format=%ct", "--", "seeds", "schema"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    got = built_at_epoch(ROOT / "seeds")
    if dirty:  # an edited checkout: the documented fallback (the newest file) applies instead
        newest = max(int(p.stat().st_mtime) for d in (ROOT / "seeds", SCHEMA_DIR) for p in d.rglob("*") if p.is_file())
        assert got == newest
    else:
        assert got == int(committed)


def test_outside_a_checkout_built_at_is_the_newest_seed_files_mtime(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    for i, path in enumerate(sorted(p for p in seeds.rglob("*") if p.is_file())):
        os.utime(path, (1_600_000_000 + i, 1_600_000_000 + i))
    newest_seed = 1_600_000_000 + i
    newest_schema = max(int(p.stat().st_mtime) for p in SCHEMA_DIR.rglob("*") if p.is_file())
    expected = max(newest_seed, newest_schema)
    build(seeds, tmp_path / "a.sqlite", progress=False)
    build(seeds, tmp_path / "b.sqlite", progress=False)
    assert _built_at(tmp_path / "a.sqlite") == _iso(expected)
    assert (tmp_path / "a.sqlite").read_bytes() == (tmp_path / "b.sqlite").read_bytes()


def test_source_date_epoch_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    build(SEEDS, tmp_path / "kb.sqlite", progress=False)
    assert _built_at(tmp_path / "kb.sqlite") == "2009-02-13T23:31:30Z"


def test_seeds_in_a_repository_of_their_own_take_the_commit_time(tmp_path, monkeypatch):
    """Seeds in their own git repository (the schema outside it, as in the release tests): the
    commit time (or the outside schema's newest file, if later), not the seeds files' mtimes,
    which a fresh clone sets to the time of its checkout."""
    from support import git, scratch_repo

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    repo = scratch_repo(tmp_path)
    commit_time = int(git(repo, "log", "-1", "--format=%ct").strip())
    schema_newest = max(int(p.stat().st_mtime) for p in SCHEMA_DIR.rglob("*") if p.is_file())
    before = built_at_epoch(repo / "seeds")
    later = time.time() + 3600
    for path in (repo / "seeds").rglob("*"):
        os.utime(path, (later, later))  # what a checkout an hour later does
    assert built_at_epoch(repo / "seeds") == before == max(commit_time, schema_newest)
