"""Errors as problem documents, caching, CORS, HEAD/OPTIONS, CSV/NDJSON and the committed spec."""
import csv
import io
import json

import pytest
import yaml

from api.spec import SERVERS_DESCRIPTION

import seed_view

from support import ROOT  # noqa: E402


def assert_problem(response, status, param=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    if param:
        assert param in body["errors"], body
    return body


@pytest.mark.parametrize("url, param", [
    ("/v1/facts?limit=0", "limit"), ("/v1/facts?limit=101", "limit"), ("/v1/facts?limit=abc", "limit"),
    ("/v1/facts?limit=99999999999999999999999", "limit"), ("/v1/facts?from=2023-13", "from"),
    ("/v1/facts?to=yesterday", "to"), ("/v1/facts?as_of=2021-02-31x", "as_of"), ("/v1/facts?type=rumour", "type"),
    ("/v1/facts?status=maybe", "status"), ("/v1/facts?sort=name", "sort"), ("/v1/facts?format=xml", "format"),
    ("/v1/facts?colour=red", "colour"), ("/v1/facts?limit=5&limit=6", "limit"), ("/v1/facts?entity=Not%20An%20Id", "entity"),
    ("/v1/facts?cursor=abc", "cursor"), ("/v1/facts?from=2023-02-32", "from"), ("/v1?colour=red", "colour"),
    ("/v1/search", "q"), ("/v1/search?q=", "q"), ("/v1/entities?type=animal", "type"),
    ("/v1/events?kind=party", "kind"), ("/v1/facts?status=maybe&status=stated", "status"),
    ("/v1/meetings?type=meeting", "type"), ("/v1/facts?format=csv&cursor=abc", "cursor"),
    ("/v1/facts?cursor=abc.d%2Bf", "cursor"), ("/v1/facts?from=2021-2-3", "from"),
])
def test_bad_parameters_get_400_naming_the_parameter(client, url, param):
    body = assert_problem(client.get(url), 400, param)
    assert all(isinstance(m, str) for msgs in body["errors"].values() for m in msgs), body  # list items too


@pytest.mark.parametrize("url, param", [
    ("/v1/facts?entity=nobody", "entity"), ("/v1/facts?source=nowhere", "source"),
    ("/v1/facts?q=%2A%2A%2A", "q"), ("/v1/entities?q=%2A", "q"), ("/v1/search?q=%2A", "q"),
    ("/v1/meetings?participant=nobody", "participant"), ("/v1/leases?lessor=nobody", "lessor"),
    # of the published form but unusable in substance: a cursor this API never signed, a day that does not exist
    ("/v1/facts?cursor=abc.def", "cursor"), ("/v1/sources?cursor=abc.def", "cursor"),
    ("/v1/entities?cursor=abc.def", "cursor"), ("/v1/search?q=assad&cursor=abc.def", "cursor"),
    ("/v1/facts?as_of=2021-02-30", "as_of"), ("/v1/facts?from=0000", "from"), ("/v1/facts?to=2023-02-29", "to"),
    ("/v1/events?from=2021-04-31", "from"),
])
def test_schema_valid_values_naming_nothing_get_422_naming_the_parameter(client, url, param):
    """Every parameter conforms to the published schema, but is unusable in substance (api.blueprint.UNPROCESSABLE)."""
    body = assert_problem(client.get(url), 422, param)
    if param == "cursor":
        assert "start again without it" in body["errors"]["cursor"][0]


def test_tampered_and_foreign_cursors_are_refused(client):
    cursor = client.get("/v1/facts?limit=2").get_json()["next_cursor"]
    body, mac = cursor.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    for bad in (f"{flipped}.{mac}", cursor[:-3], f"{body}.AAAAAAAAAAAAAAAA", cursor + "x"):
        assert_problem(client.get(f"/v1/facts?limit=2&cursor={bad}"), 422, "cursor")
    # a cursor is bound to its list and sort order
    assert_problem(client.get(f"/v1/facts?limit=2&sort=-date&cursor={cursor}"), 422, "cursor")
    assert_problem(client.get(f"/v1/meetings?limit=2&cursor={cursor}"), 422, "cursor")
    assert client.get(f"/v1/facts?limit=2&cursor={cursor}").status_code == 200


def test_unknown_route_is_a_problem(client):
    assert_problem(client.get("/v1/nothing-here"), 404)
    assert_problem(client.get("/v1/facts/NOT_A_SLUG"), 404)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_wrong_method_is_405_with_allow(client, method):
    response = getattr(client, method)("/v1/facts")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD", "OPTIONS"}


def test_etag_and_conditional_get(client, db_rows):
    first = client.get("/v1/facts?limit=3")
    etag = first.headers["ETag"]
    assert first.headers["X-Dataset-Version"] == db_rows("SELECT value FROM meta WHERE key='dataset_version'")[0][0]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert first.headers["Last-Modified"].endswith("GMT")
    again = client.get("/v1/facts?limit=3", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get("/v1/facts?limit=4", headers={"If-None-Match": etag}).status_code == 200
    assert client.get("/v1/facts?limit=4").headers["ETag"] != etag


def test_conditional_get_runs_no_query(app, db_path, tmp_path):
    """The 304 is answered from the dataset version alone: it still comes when every table is gone."""
    import shutil
    import sqlite3

    from api.app import create_app

    copy = tmp_path / "kb.sqlite"
    shutil.copy(db_path, copy)
    client = create_app({"KB_DB": str(copy)}).test_client()
    etag = client.get("/v1/facts/russia-tartus-port-lease").headers["ETag"]
    conn = sqlite3.connect(copy)
    for table in ["facts", "fact_entities", "citations", "entities"]:
        conn.execute(f"DROP TABLE {table}")
    conn.commit()
    conn.close()
    assert client.get("/v1/facts/russia-tartus-port-lease", headers={"If-None-Match": etag}).status_code == 304


def test_cors_head_and_options(client):
    get = client.get("/v1/facts/russia-tartus-port-lease", headers={"Origin": "https://example.org"})
    assert get.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in get.headers["Access-Control-Expose-Headers"]
    head = client.head("/v1/facts/russia-tartus-port-lease")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == get.headers["ETag"]
    options = client.options("/v1/facts", headers={"Origin": "https://example.org",
                                                   "Access-Control-Request-Method": "GET"})
    assert options.status_code == 200
    assert "GET" in options.headers["Access-Control-Allow-Methods"]
    assert "GET" in options.headers["Allow"]


def test_ndjson_streams_every_row(client, db_rows):
    for kwargs in ({"path": "/v1/facts?format=ndjson"},
                   {"path": "/v1/facts", "headers": {"Accept": "application/x-ndjson"}}):
        response = client.get(**kwargs)
        assert response.mimetype == "application/x-ndjson"
        lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
        assert len(lines) == db_rows("SELECT count(*) FROM facts")[0][0] > 20
        assert "next_cursor" not in lines[0] and "attributes" in lines[0]


def test_csv_streams_every_matching_row(client, db_rows):
    response = client.get("/v1/statements?format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == db_rows("SELECT count(*) FROM statements")[0][0]
    assert {"id", "speaker", "kind", "text", "about", "citations"} <= set(rows[0])
    assert json.loads(rows[0]["citations"])[0]["quote"]
    via_accept = client.get("/v1/facts?status=denied", headers={"Accept": "text/csv"})
    assert via_accept.mimetype == "text/csv"
    denied = sorted(fid for fid, f in seed_view.facts().items() if f["status"] == "denied")
    assert denied and sorted(r["id"] for r in csv.DictReader(io.StringIO(via_accept.get_data(as_text=True)))) == denied
    # as of the day before the first source was published, nothing was known: only the header
    before = seed_view.day_before(min(s["published"] for s in seed_view.sources().values()))
    empty = client.get(f"/v1/facts?format=csv&as_of={before}")
    assert empty.get_data(as_text=True).splitlines() == [
        "id,type,summary,date,date_precision,status,note,attributes,entities,citations,time,relations,independent_sources,"
        "conflicts_with,time_match,voice,roles,corrected_by"]
    # a window marks each row in the last column, and the header says how many possible matches it left out
    window = client.get("/v1/facts?format=csv&to=2000&time_match=possible")
    marks = {r["time_match"] for r in csv.DictReader(io.StringIO(window.get_data(as_text=True)))}
    assert marks and marks <= {"certain", "possible"} and window.headers["X-Possible-Matches"] == "0"
    certain = client.get("/v1/facts?format=ndjson&to=2000")
    left_out = int(certain.headers["X-Possible-Matches"])
    assert len(certain.get_data(as_text=True).splitlines()) + left_out == sum(m == m for m in [
        r["time_match"] for r in csv.DictReader(io.StringIO(window.get_data(as_text=True)))])


def test_committed_openapi_matches_served_spec(client):
    """The committed spec is the served one, but for ``servers``: each server names its own address
    (api/http/public_url.py); the committed file names `make run`'s."""
    served = client.get("/openapi.json").get_json()
    committed = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert served.pop("servers") == [{"url": "http://localhost", "description": SERVERS_DESCRIPTION}]
    assert committed.pop("servers") == [{"url": "http://127.0.0.1:8000", "description": SERVERS_DESCRIPTION}]
    assert committed == served, "openapi.yaml is stale: run `make openapi` and commit it"


def test_spec_is_valid_openapi_31_with_every_operation_documented(client):
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["description"] and spec["info"]["contact"] and spec["info"]["license"]
    operations = [op for item in spec["paths"].values() for method, op in item.items() if method == "get"]
    assert len(operations) >= 24
    assert len({op["operationId"] for op in operations}) == len(operations)
    for op in operations:
        assert op["summary"] and op["description"] and op["tags"], op["operationId"]
