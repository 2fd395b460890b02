"""Issue 32: the Parquet downloads (kb/parquet.py, docs/downloads.md) read as analysts read them,
with DuckDB (natively: no extension) and with pandas, hold the rows the API serves: every fact of
``/v1/facts`` in its order, every citation of each, every entity."""
import io
import json

import duckdb
import pandas as pd
import pytest

from support import all_pages


@pytest.fixture(scope="module")
def app_client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def parquet(app_client):
    """``{name: bytes}`` of the three files, as ``/v1/downloads`` serves them (the SHA-256 checked)."""
    import hashlib

    listed = {d["name"]: d for d in app_client.get("/v1/downloads").get_json()["data"]}
    out = {}
    for name in ("facts.parquet", "citations.parquet", "entities.parquet"):
        response = app_client.get(listed[name]["url"])
        assert response.status_code == 200 and response.mimetype == "application/vnd.apache.parquet"
        assert hashlib.sha256(response.data).hexdigest() == listed[name]["sha256"]
        out[name] = response.data
    return out


@pytest.fixture(scope="module")
def files(parquet, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet")
    for name, data in parquet.items():
        (folder / name).write_bytes(data)
    return folder


def api_facts(client):
    return all_pages(client, "/v1/facts?limit=100")


def test_duckdb_reads_the_facts_the_api_serves(app_client, files):
    facts = api_facts(app_client)
    con = duckdb.connect()
    rows = con.execute(f"SELECT id, type, summary, date, status, time_kind, time_not_after, entities, relations, "
                       f"independent_sources, conflicts_with, voice, citation_count, attributes "
                       f"FROM read_parquet('{files / 'facts.parquet'}')").fetchall()
    assert [r[0] for r in rows] == [f["id"] for f in facts]
    for row, fact in zip(rows, facts):
        (fid, ftype, summary, date, status, kind, not_after, entities, relations, sources, conflicts, voice, count,
         attributes) = row
        assert (ftype, summary, date, status, voice) == (fact["type"], fact["summary"], fact["date"], fact["status"],
                                                         fact["voice"])
        assert (kind, not_after) == (fact["time"]["kind"], fact["time"]["not_after"])
        assert entities == fact["entities"] and count == len(fact["citations"])
        assert relations == [{k: r.get(k) for k in ("type", "fact", "direction")} for r in fact["relations"]]
        assert sources == fact["independent_sources"] and conflicts == fact["conflicts_with"]
        assert json.loads(attributes) == fact["attributes"]


def test_the_columns_added_since_1_10_hold_what_the_api_serves(app_client, files):
    facts = {f["id"]: f for f in api_facts(app_client)}
    con = duckdb.connect()
    parts = ["date_part", "not_before_part", "not_after_part", "valid_from_part", "valid_until_part",
             "expected_not_before_part", "expected_not_after_part"]
    rows = con.execute(f"SELECT id, corrected_by, time_observations, {', '.join('time_' + p for p in parts)} "
                       f"FROM read_parquet('{files / 'facts.parquet'}')").fetchall()
    assert {r[0] for r in rows} == set(facts)
    for fid, corrected_by, observations, *values in rows:
        time = facts[fid]["time"]
        assert corrected_by == facts[fid]["corrected_by"] and observations == time["observations"]
        assert values == [time[p] for p in parts]


def test_duckdb_joins_citations_to_facts(app_client, files):
    facts = {f["id"]: f for f in api_facts(app_client)}
    rows = duckdb.connect().execute(
        f"SELECT c.fact_id, c.position, c.source, c.publisher, c.published, c.quote, c.start, c.\"end\", c.attribution "
        f"FROM read_parquet('{files / 'citations.parquet'}') c JOIN read_parquet('{files / 'facts.parquet'}') f "
        f"ON f.id = c.fact_id ORDER BY c.fact_id, c.position").fetchall()
    assert len(rows) == sum(len(f["citations"]) for f in facts.values())
    for fid, position, source, publisher, published, quote, start, end, attribution in rows:
        cited = facts[fid]["citations"][position]
        assert (source, publisher, published, quote, start, end) == (
            cited["source"], cited["publisher"], cited["published"], cited["quote"], cited["start"], cited["end"])
        assert attribution == [{"relation": a["relation"], "entity": a["entity"]} for a in cited["attribution"]]


def test_pandas_reads_the_entities_the_api_serves(app_client, parquet):
    frame = pd.read_parquet(io.BytesIO(parquet["entities.parquet"]))
    listed = {e["id"]: e for t in ("", "?type=unnamed") for e in all_pages(app_client, f"/v1/entities{t}")}
    assert sorted(frame["id"]) == sorted(listed) == list(frame["id"])
    for record in frame.to_dict("records"):
        entity = listed[record["id"]]
        assert (record["type"], record["name"], list(record["aliases"]), record["description"],
                record["fact_count"]) == (entity["type"], entity["name"], entity["aliases"], entity["description"],
                                          entity["fact_count"])
        assert dict(record["fact_counts"]) == entity["fact_counts"]


def test_pandas_reads_the_facts_in_list_order(app_client, parquet):
    frame = pd.read_parquet(io.BytesIO(parquet["facts.parquet"]))
    facts = api_facts(app_client)
    assert list(frame["id"]) == [f["id"] for f in facts]
    assert list(frame["summary"]) == [f["summary"] for f in facts]
    assert [None if pd.isna(d) else d for d in frame["date"]] == [f["date"] for f in facts]


def test_every_column_but_the_long_text_has_statistics(files):
    """DuckDB skips the row groups a filter rules out by their min/max; the long free text has none
    (kb/parquet.py LONG_TEXT: the writer would hold every group's until the file closes)."""
    import pyarrow.parquet as pq

    long_text = {"summary", "note", "attributes", "quote", "title", "description"}
    for name in ("facts.parquet", "citations.parquet", "entities.parquet"):
        metadata = pq.ParquetFile(files / name).metadata
        assert metadata.num_row_groups >= 1
        for group in range(metadata.num_row_groups):
            for k in range(metadata.num_columns):
                column = metadata.row_group(group).column(k)
                assert column.is_stats_set == (column.path_in_schema.split(".")[0] not in long_text), \
                    (name, group, column.path_in_schema)
