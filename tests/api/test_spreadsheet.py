"""Issue 32: the spreadsheet flavour of CSV (``flavour=spreadsheet``: a BOM, names beside ids, the
first citation and the time bounds flat, partial dates as text, formula-like cells neutralised, a
file name per collection), the plain CSV unchanged, and ``limit`` on streams (applied only when
sent: the page size's default of 20 never cuts a download)."""
import csv
import io

import pytest

from api.http.streams import BOM, neutral
from api.shapes import spreadsheet


def rows_of(response):
    text = response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))


def every(client, path, query="limit=100"):
    items, url = [], f"{path}?{query}"
    while url:
        page = client.get(url).get_json()
        items += page["data"]
        url = page["next_cursor"] and f"{path}?{query}&cursor={page['next_cursor']}"
    return items


def test_the_spreadsheet_file_starts_with_a_bom_and_is_an_attachment(client):
    response = client.get("/v1/facts?flavour=spreadsheet")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith(BOM)
    assert response.headers["Content-Disposition"] == "attachment; filename=facts.csv"


def test_the_plain_csv_has_no_bom_and_keeps_its_columns(client):
    plain = client.get("/v1/facts?format=csv")
    text = plain.get_data(as_text=True)
    assert not text.startswith(BOM) and text.split("\r\n", 1)[0].startswith("id,type")
    assert plain.headers["Content-Disposition"] == "inline; filename=facts.csv"
    assert client.get("/v1/facts?format=csv&flavour=plain").get_data() == plain.get_data()


@pytest.mark.parametrize("path, name", [("/v1/events", "events"), ("/v1/meetings", "meetings"),
                                        ("/v1/entities/bashar-al-assad/facts", "entity-bashar-al-assad-facts")])
def test_each_collection_names_its_file(client, path, name):
    response = client.get(f"{path}?flavour=spreadsheet")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}.csv"


def test_names_beside_ids_and_the_first_citation_flat(client):
    facts = {f["id"]: f for f in every(client, "/v1/facts", "limit=100&expand=entities")}
    rows = rows_of(client.get("/v1/facts?flavour=spreadsheet"))
    assert [r["id"] for r in rows] == list(facts)
    header = list(rows[0])
    for column in ("entities", "entity_ids", *spreadsheet.CITATION_COLUMNS, "time_kind", *spreadsheet.TIME_BOUNDS):
        assert column in header
    for row in rows:
        fact = facts[row["id"]]
        assert row["entity_ids"] == "; ".join(e["id"] for e in fact["entities"])
        assert row["entities"] == "; ".join(f"{e.get('name') or e['id']} ({e['role']})" for e in fact["entities"])
        first = fact["citations"][0]
        assert int(row["citations"]) == len(fact["citations"])
        assert row["first_source"] == first["source"]
        assert row["first_quote"] in (first["quote"], neutral(first["quote"]))
        assert row["time_kind"] == fact["time"]["kind"]
        assert not any(cell.startswith(("{", "[")) for cell in row.values() if cell)  # no JSON cells


def test_partial_dates_stay_text(client):
    facts = every(client, "/v1/facts")
    partial = [f for f in facts if f["date"] and len(f["date"]) < 10]
    if not partial:
        pytest.skip("the seeds have no partial date")
    rows = {r["id"]: r for r in rows_of(client.get("/v1/facts?flavour=spreadsheet"))}
    for fact in partial:
        assert rows[fact["id"]]["date"] == spreadsheet.date_text(fact["date"])
        assert rows[fact["id"]]["date"].endswith("-XX")
    whole = next(f for f in facts if f["date"] and len(f["date"]) == 10)
    assert rows[whole["id"]]["date"] == whole["date"]


@pytest.mark.parametrize("value, text", [("2024-07", "2024-07-XX"), ("2024", "2024-XX-XX"),
                                         ("2024-07-25", "2024-07-25"), (None, None)])
def test_date_text(value, text):
    assert spreadsheet.date_text(value) == text


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_cells_are_neutralised(cell):
    assert neutral(cell) == "'" + cell
    assert neutral("Assad said") == "Assad said" and neutral(3) == 3


def test_no_cell_of_the_download_starts_like_a_formula(client):
    rows = rows_of(client.get("/v1/facts?flavour=spreadsheet"))
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row.values() if cell)


def test_the_flavour_is_csv_only(client):
    assert client.get("/v1/facts?format=json&flavour=spreadsheet").status_code == 422
    assert client.get("/v1/facts?format=csv&flavour=spreadsheet").status_code == 200


@pytest.mark.parametrize("fmt", ["format=csv", "format=ndjson", "flavour=spreadsheet"])
def test_limit_cuts_a_stream_only_when_sent(client, fmt):
    total = len(every(client, "/v1/facts"))
    assert total > 20, "the seeds must have more facts than the default page size"

    def count(response):
        if fmt == "format=ndjson":
            return len([line for line in response.get_data(as_text=True).splitlines() if line])
        return len(rows_of(response))
    assert count(client.get(f"/v1/facts?{fmt}")) == total  # the default of 20 does not apply
    assert count(client.get(f"/v1/facts?{fmt}&limit=3")) == 3
    assert count(client.get(f"/v1/events?{fmt}&limit=2")) == 2
