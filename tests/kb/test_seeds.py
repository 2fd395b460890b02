"""The real seeds validate, build, and every stored quote is the source text at its offsets."""
import json
import sqlite3

import pytest

from kb.build import SCHEMA_VERSION, build
from kb.cli import validate
from kb.quotes import squash

import seed_view
from support import SEEDS


@pytest.fixture(scope="module")
def conn(db_path):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def test_real_seeds_validate():
    seeds, problems = validate(SEEDS)
    assert [str(p) for p in problems] == []
    # every source file (and only those) is a source, every fact of every facts file is counted
    assert set(seeds.sources) == {p.stem for p in (SEEDS / "sources").glob("*.yaml")} == set(seed_view.sources())
    assert {p.stem for p in (SEEDS / "sources").glob("*.txt")} == set(seeds.sources)
    assert seeds.fact_count == len(seed_view.facts()) >= 40


def test_real_seeds_pass_strict_validation_on_every_entity():
    """`kb validate --strict` on every entity (this runs in `make test`): entities sharing a name
    or alias say they are different (distinct_from), or are merged. The other warning, a hedged
    quote with no attribution written, is the curator's to review: `kb validate` prints it and
    `--strict` fails on it, but a curator's article that has one does not turn the suite red."""
    warnings = [str(w) for w in validate(SEEDS)[0].warnings]
    assert [w for w in warnings if ": warning: entity " in w] == []
    assert all(": warning: fact " in w for w in warnings), warnings  # no third kind unaccounted for


def test_every_quote_is_the_source_text_at_its_offsets(conn):
    rows = conn.execute(
        "SELECT c.fact_id, c.quote, c.start, c.end, s.text FROM citations c JOIN sources s ON s.id = c.source_id"
    ).fetchall()
    assert len(rows) >= 50
    for row in rows:
        assert 0 <= row["start"] < row["end"] <= len(row["text"])
        assert squash(row["text"][row["start"]:row["end"]]) == squash(row["quote"]), row["fact_id"]


def test_citations_json_matches_citations_table(conn):
    for fact in conn.execute("SELECT id, citations FROM facts"):
        stored = [(c["source"], c["start"], c["end"]) for c in json.loads(fact["citations"])]
        table = [tuple(r) for r in conn.execute(
            "SELECT source_id, start, end FROM citations WHERE fact_id = ? ORDER BY ord", (fact["id"],))]
        assert stored == table


@pytest.mark.parametrize("ftype", ["meeting", "troop_deployment", "lease", "event", "statement", "position"])
def test_every_fact_type_is_present(conn, ftype):
    assert conn.execute("SELECT count(*) FROM facts WHERE type = ?", (ftype,)).fetchone()[0] >= 1


@pytest.mark.parametrize("date, precision, start, end", [
    ("2011", "year", "2011-01-01", "2011-12-31"),
    ("2023-03", "month", "2023-03-01", "2023-03-31"),
    ("2024-07-24", "day", "2024-07-24", "2024-07-24"),
])
def test_partial_dates_are_stored_as_intervals(conn, date, precision, start, end):
    rows = conn.execute("SELECT date_precision, date_start, date_end FROM facts WHERE date = ?", (date,)).fetchall()
    assert rows, f"no fact dated {date}"
    assert {tuple(r) for r in rows} == {(precision, start, end)}


def test_every_fact_is_stored_with_its_interval_and_first_publication(conn):
    rows = {r["id"]: r for r in conn.execute("SELECT id, date, date_start, date_end, sort_date, first_published FROM facts")}
    assert set(rows) == set(seed_view.facts())
    for fid, fact in seed_view.facts().items():
        row = rows[fid]
        start, end = seed_view.interval(fact["date"], fact.get("date_part")) if fact["date"] else (None, None)
        assert (row["date"], row["date_start"], row["date_end"], row["sort_date"]) == \
               (fact["date"], start, end, seed_view.span(fact)[0]), fid  # sort_date: the span's start
        assert row["first_published"] == seed_view.first_published(fact), fid


@pytest.mark.parametrize("fact_id, date, precision", [
    ("putin-assad-meeting-2024-07-24", "2024-07-24", "day"),   # "Wednesday evening", article of Thu 2024-07-25
    ("erdogan-willing-to-restore-relations-2024-06", "2024-06", "month"),  # "last month"
    ("syria-reintegrated-arab-league-2023-05", "2023-05", "month"),  # "May last year"
    ("assad-violates-idlib-ceasefire-2020-01", "2020-01", "month"),  # "in January", article of April 2020
    ("putin-assad-meeting-2023-03", "2023-03", "month"),
    ("syrian-civil-war-starts-2011", "2011", "year"),
])
def test_relative_dates_are_resolved_against_the_article(conn, fact_id, date, precision):
    row = conn.execute("SELECT date, date_precision FROM facts WHERE id = ?", (fact_id,)).fetchone()
    assert tuple(row) == (date, precision)


def test_no_stated_or_reported_fact_postdates_its_sources(conn):
    late = conn.execute(
        "SELECT f.id FROM facts f JOIN citations c ON c.fact_id = f.id JOIN sources s ON s.id = c.source_id "
        "WHERE f.status IN ('stated', 'reported') AND f.date_start > s.published"
    ).fetchall()
    assert late == []


def test_foreign_keys_hold(conn):
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_meta_and_counts(conn):
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    assert len(meta["dataset_version"]) == 64
    counts = json.loads(meta["counts"])
    assert counts["facts"] == conn.execute("SELECT count(*) FROM facts").fetchone()[0]
    assert counts["leases"] == conn.execute("SELECT count(*) FROM leases").fetchone()[0]


@pytest.mark.parametrize("query, entity", [("erdogan", "recep-tayyip-erdogan"), ("ERDOĞAN", "recep-tayyip-erdogan"),
                                           ("assad", "bashar-al-assad"), ("turkiye", "turkey")])
def test_fts_is_case_and_diacritic_insensitive(conn, query, entity):
    hits = [r[0] for r in conn.execute(
        "SELECT s.ref_id FROM search_fts JOIN search s ON s.id = search_fts.rowid "
        "WHERE search_fts MATCH ? AND s.kind = 'entity'", (f'"{query}"',))]
    assert entity in hits


def test_rebuilding_the_same_yaml_gives_the_same_version(tmp_path, db_path):
    again = build(SEEDS, tmp_path / "again.sqlite", progress=False)
    first = sqlite3.connect(db_path).execute("SELECT value FROM meta WHERE key = 'dataset_version'").fetchone()[0]
    assert again["dataset_version"] == first


def test_a_changed_fact_changes_the_version(seeds_copy, tmp_path, db_path):
    path = seeds_copy / "facts" / "bloomberg-2024-07-25.yaml"
    path.write_text(path.read_text().replace("count: 900", "count: 901"))
    changed = build(seeds_copy, tmp_path / "changed.sqlite", progress=False)
    first = sqlite3.connect(db_path).execute("SELECT value FROM meta WHERE key = 'dataset_version'").fetchone()[0]
    assert changed["dataset_version"] != first


def test_stale_temporary_files_from_killed_builds_are_removed(seeds_copy, tmp_path):
    target = tmp_path / "kb.sqlite"
    stale = tmp_path / ".kb.sqlite.999999999.tmp"  # no such process
    stale.write_bytes(b"half a database")
    stale_dump = tmp_path / ".kb.sqlite.facts.999999999.tmp"  # and half a facts dump (kb/artifacts.py)
    stale_dump.write_bytes(b"half a dump")
    build(seeds_copy, target, progress=False)
    assert not stale.exists() and not stale_dump.exists()
    # the dataset: the database, its dump folder and its manifest (docs/releases.md, "Downloads")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "seeds") == [
        "kb.sqlite", "kb.sqlite.downloads", "kb.sqlite.manifest.json"]
