"""Issue 16: corroboration (``independent_sources``) and conflicts (``conflicts_with``,
``/v1/conflicts``, the build's detection rules) through the API, on the fixture of
tests/fixtures/conflicts (fictional outlets; never in seeds/) and on the seeds."""
import pytest

from kb.build import build
from support import FIXTURES, all_pages

NINE, TWO = "us-troops-900-2024-07-25", "us-troops-2000-2024-07-25"
TURKISH = "turkish-troops-northern-syria-2024-07-28"


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    from api.app import create_app

    path = tmp_path_factory.mktemp("conflicts") / "kb.sqlite"
    build(FIXTURES / "conflicts", path, progress=False)
    return create_app({"KB_DB": str(path), "TESTING": True}).test_client()


def test_outlets_relaying_one_report_count_once(api):
    facts = {f["id"]: f for f in all_pages(api, "/v1/facts?limit=100")}
    # Daily A and Daily B relay Bloomberg (one source), Daily C says it in its own voice
    assert len(facts[NINE]["citations"]) == 3 and facts[NINE]["independent_sources"] == 2
    assert facts[TWO]["independent_sources"] == 1 and facts[TURKISH]["independent_sources"] == 1
    # as_of: only what had been published by then (Daily A alone, relaying Bloomberg)
    early = {f["id"]: f for f in all_pages(api, "/v1/facts?as_of=2024-07-26")}
    assert early[NINE]["independent_sources"] == 1
    # the typed shape and the item carry the same
    assert api.get(f"/v1/troop-deployments/{NINE}").get_json()["independent_sources"] == 2


def test_the_build_detects_the_troop_count_conflict(api):
    nine, two = (api.get(f"/v1/facts/{i}").get_json() for i in (NINE, TWO))
    assert nine["conflicts_with"] == [TWO] and two["conflicts_with"] == [NINE]
    assert {"type": "conflicts_with", "fact": TWO, "direction": "incoming"} in nine["relations"]
    assert api.get(f"/v1/facts/{TURKISH}").get_json()["conflicts_with"] == []
    # the relation is the existing mechanism: the related_to/relation filters find it
    assert [f["id"] for f in all_pages(api, f"/v1/facts?related_to={NINE}&relation=conflicts_with")] == [TWO]


@pytest.mark.parametrize("query, found", [
    ("", True), ("type=troop_deployment", True), ("type=meeting", False), ("entity=united-states", True),
    ("entity=turkey", False), ("from=2024-07-25&to=2024-07-25", True), ("from=2025", False), ("to=2023", False),
])
def test_conflicts_list_side_by_side(api, query, found):
    body = api.get("/v1/conflicts?" + query).get_json()
    if not found:
        assert body == {"data": [], "next_cursor": None}
        return
    assert len(body["data"]) == 1
    a, b = body["data"][0]["facts"]
    assert {a["id"], b["id"]} == {NINE, TWO}
    assert {a["attributes"]["count"], b["attributes"]["count"]} == {900, 2000}
    assert a == api.get(f"/v1/facts/{a['id']}").get_json()  # each fact in full, as its item


def test_conflicts_errors(api):
    assert api.get("/v1/conflicts?entity=nobody").status_code == 422
    assert api.get("/v1/conflicts?type=war").status_code == 400
    assert api.get("/v1/conflicts?limit=0").status_code == 400


def test_seeds_relayed_bloomberg_claims_are_one_source(client, db_rows):
    relayed = {r[0] for r in db_rows(
        "SELECT fact_id FROM citations GROUP BY fact_id HAVING min(EXISTS (SELECT 1 FROM attributions a "
        "WHERE a.fact_id = citations.fact_id AND a.citation = citations.ord AND a.report_fact_id IS NOT NULL)) = 1")}
    facts = all_pages(client, "/v1/facts?limit=100")
    assert relayed and all(f["independent_sources"] == 1 for f in facts if f["id"] in relayed)
    assert all(f["independent_sources"] >= 1 for f in facts)
    conflicted = {r[0] for r in db_rows("SELECT fact_id FROM fact_relations WHERE type = 'conflicts_with'")}
    assert {f["id"] for f in facts if f["conflicts_with"]} == conflicted
