"""Every fact-list query is one index range walk: on a generated database big enough for a
full scan to show (20,000 facts), no list query (first page or a cursor 90 % of the way down)
scans a table or sorts its matches (but ``related_to``, whose matches are the handful of facts
related to one fact: bench/query_plans.SORTS), and a deep page costs about what the first page
costs. Filters that read a side table per fact (``source``, ``attributed_to``, ``relation``) are
filtered walks of the ordered index, like ``source=``: an index walk that LIMIT stops, whose
cost per page grows as the filter gets rarer.
The change feed (``/v1/changes``) is one walk of the primary key of ``changes`` from ``since`` or
the cursor, whatever its filters: a deep page costs what the first costs, from 1k to 1M changes.
``make bench`` runs the same plan check on the 1M-fact database (bench/serve_bench.py)."""
import re
import sqlite3

import pytest

from api.queries.changes import change_key, change_sql
from api.queries.windows import span_stats
from bench import query_plans
from bench.generate import Generator
from kb.build import build

N_FACTS = 20_000


@pytest.fixture(scope="session")
def generated_db(tmp_path_factory):
    """A knowledge base of 20,000 generated facts (bench/generate.py), built by the real loader."""
    root = tmp_path_factory.mktemp("generated")
    Generator(N_FACTS, seed=1).run(root / "seeds")
    path = root / "kb.sqlite"
    build(root / "seeds", path, progress=False)
    return path


@pytest.fixture(scope="module")
def plans(generated_db):
    return query_plans.check(generated_db)


def test_the_database_is_big_enough(generated_db):
    conn = sqlite3.connect(generated_db)
    assert conn.execute("SELECT count(*) FROM facts").fetchone()[0] == N_FACTS


def test_every_list_query_is_covered(plans):
    names = {name for name, *_ in plans}
    for kind in ["facts list", "entity filter", "typed role filter", "kind filter", "from/to", "from/to, start only",
                 "valid_at", "attributed_to", "relation", "related_to", "single type", "changed_since",
                 "change feed", "change feed since a release", "change feed, one kind"]:
        assert any(name.startswith(kind) and name.endswith("first page") for name in names), kind
        assert any(name.startswith(kind) and name.endswith("deep cursor page") for name in names), kind


def test_every_list_query_uses_an_index(plans):
    bad = [f"{name}: {found}\n  {sql}\n  {plan}" for name, sql, params, plan, found in plans if found or not plan]
    assert not bad, "\n".join(bad)


def test_the_checker_catches_bad_plans():
    assert query_plans.problems(["SCAN f"])
    assert query_plans.problems(["SCAN facts"])
    assert query_plans.problems(["SEARCH d USING INDEX x (entity_id=?)", "USE TEMP B-TREE FOR ORDER BY"])
    assert not query_plans.problems(["SCAN f USING INDEX idx_facts_sort_date_id"])
    assert not query_plans.problems(["SCAN search_fts VIRTUAL TABLE INDEX 0:M2"])


def test_the_compound_date_windows_are_merged_not_sorted(plans):
    """A window's start alone (spans may be open) reads several ranges of the sort key: each is
    an ordered index walk, merged (MERGE (UNION ALL)) rather than sorted."""
    compound = [(name, plan) for name, sql, params, plan, found in plans if "UNION ALL" in sql]
    assert compound, "no window was read in parts"
    for name, plan in compound:
        assert any("MERGE (UNION ALL)" in detail for detail in plan), (name, plan)


def test_the_checker_lets_only_related_to_sort():
    assert query_plans.problems(["USE TEMP B-TREE FOR ORDER BY"], may_sort=True) == []
    assert query_plans.problems(["SCAN f"], may_sort=True)
    assert set(query_plans.SORTS) == {"related_to"}


def test_a_deep_page_costs_what_the_first_page_costs(generated_db):
    conn = sqlite3.connect(f"file:{generated_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    spans = span_stats(conn)
    for name, (args, kwargs) in query_plans.cases(conn).items():
        fq = query_plans.fact_query({"sort": "date", **args}, kwargs, spans)
        key = query_plans.deep_key(conn, fq)
        if key is None:
            continue
        first = query_plans.vm_steps(conn, *fq.sql(limit=21))
        deep = query_plans.vm_steps(conn, *fq.sql(after=key, limit=21))
        assert deep <= 3 * first + 2000, (name, first, deep)


@pytest.mark.parametrize("match", ["certain", "possible"])
@pytest.mark.parametrize("sort", ["date", "-date"])
@pytest.mark.parametrize("window", [("2001", "2003"), ("2001-07", "2002-02-15"), ("2001-07-04", None), (None, "1975"),
                                    ("2030", None), ("1900", "1900")])
def test_date_windows_page_through_exactly_the_matching_facts(generated_db, window, sort, match):
    """Walking a from/to list page by page (the sort-key bounds move with the cursor, across the
    parts of the window) yields the same facts, in the same order, as the query without pages or
    redundant bounds, and those are the facts whose span overlaps the window (``possible``), or
    those of them that match it for certain (``certain``, the default)."""
    from factmodel.certainty import is_certain
    from factmodel.dates import date_range

    conn = sqlite3.connect(f"file:{generated_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    start, end = window
    args = {"sort": sort, "time_match": match, **({"from_": start} if start else {}), **({"to": end} if end else {})}
    fq = query_plans.fact_query(args, {}, span_stats(conn))
    expected_sql, params = fq.sql()
    fq_plain = query_plans.fact_query(args, {})
    fq_plain.bounded = False  # the redundant bounds only make it index ranges
    expected = [r["id"] for r in conn.execute(*fq_plain.sql())]
    first, last = date_range(start)[0] if start else "", date_range(end)[1] if end else "9999-12-31"
    window_days = (first or None, None if last == "9999-12-31" else last)
    overlapping = sorted(((r["sort_date"], r["id"]) for r in conn.execute("SELECT * FROM facts")
                          if r["span_end"] >= first and r["span_start"] <= last
                          and (match == "possible" or is_certain(r, window_days))), reverse=sort == "-date")
    assert expected == [fid for _, fid in overlapping]
    assert [r["id"] for r in conn.execute(expected_sql, params)] == expected
    got, after = [], None
    while True:
        rows = conn.execute(*fq.sql(after=after, limit=500)).fetchall()
        got += [r["id"] for r in rows]
        if len(rows) < 500:
            break
        after = [rows[-1]["sort_date"], rows[-1]["id"]]
    assert got == expected and (len(expected) > 0 or match == "certain")


def test_the_change_feed_walks_the_primary_key(plans, generated_db):
    """Every page of /v1/changes, first or deep, filtered or not, seeks into the primary key of
    ``changes`` (from the cursor when there is one), and a deep page costs what the first costs."""
    feed = [(name, plan) for name, sql, params, plan, found in plans if name.startswith("change feed")]
    assert len(feed) >= 6
    for name, plan in feed:
        assert len(plan) == 1 and plan[0].startswith("SEARCH c USING INDEX sqlite_autoindex_changes_1"), (name, plan)
        if name.endswith("deep cursor page"):
            assert "(seq,kind,id)>" in plan[0], (name, plan)
    conn = sqlite3.connect(f"file:{generated_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    for name, query in query_plans.change_cases(conn).items():
        key = query_plans.deep_change_key(conn, query)
        if key is None:
            continue
        first = query_plans.vm_steps(conn, *change_sql(**query, limit=21))
        deep = query_plans.vm_steps(conn, *change_sql(**query, after=key, limit=21))
        assert deep <= 3 * first + 2000, (name, first, deep)


def test_change_feed_pages_concatenated_are_the_whole_feed(generated_db):
    conn = sqlite3.connect(f"file:{generated_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    for query in ({}, {"kind": "entity"}, {"kind": "source"}):
        whole = [tuple(r) for r in conn.execute(*change_sql(**query))]
        got, after = [], None
        while True:
            rows = conn.execute(*change_sql(**query, after=after, limit=997)).fetchall()
            got += [tuple(r) for r in rows]
            if len(rows) < 997:
                break
            after = change_key(rows[-1])
        assert got == whole and whole == sorted(whole, key=lambda r: (r[0], r[2], r[3])) and whole, query


@pytest.mark.parametrize("quantile", [0.25, 0.5, 0.75])
def test_a_window_rejects_the_facts_before_its_start_on_the_index(generated_db, quantile):
    """An ``entity=`` list with ``from``/``to`` walks the entity's facts from a longest span before
    the window's start; those that end before it are rejected on the index entry (its
    ``span_end``), not after reading the fact's row: the same query testing ``facts.span_end``
    instead costs at least half as much again. The window starts at a quantile of the dates of the
    entity in most facts."""
    conn = query_plans._connect(generated_db)
    entity = conn.execute("SELECT id FROM entities ORDER BY fact_count DESC, id LIMIT 1").fetchone()[0]
    dates = [r[0] for r in conn.execute("SELECT sort_date FROM fact_entities WHERE entity_id = ? AND sort_date != '' "
                                        "ORDER BY sort_date", (entity,))]
    year = dates[int(len(dates) * quantile)][:4]
    sql, params = query_plans.fact_query({"entity": [entity], "from_": year, "to": str(int(year) + 5),
                                          "time_match": "possible"}, {}, span_stats(conn)).sql(limit=21)
    assert "d.span_end >= ?" in sql
    on_rows = sql.replace("d.span_end >= ?", "f.span_end >= ?")
    assert conn.execute(sql, params).fetchall() == conn.execute(on_rows, params).fetchall()
    assert query_plans.vm_steps(conn, sql, params, every=10) * 1.5 <= query_plans.vm_steps(conn, on_rows, params,
                                                                                           every=10)


def test_every_window_walk_has_span_end_on_its_index(generated_db, plans):
    """What makes the test above hold for every driver: each index a date-window list walks
    (``from``/``to``, ``valid_at``) carries ``span_end``, the column the window's start is tested on."""
    conn = sqlite3.connect(generated_db)
    walked = {}
    for name, sql, params, plan, found in plans:
        if "from/to" in name or "valid_at" in name:
            for detail in plan:
                match = re.match(r"(?:SEARCH|SCAN) [df] USING (?:COVERING )?INDEX (\w+)", detail)
                if match and not match.group(1).startswith("sqlite_autoindex"):
                    walked.setdefault(match.group(1), name)
    assert walked
    for index, name in walked.items():
        assert "span_end" in [r[2] for r in conn.execute(f"PRAGMA index_info({index})")], (index, name)
