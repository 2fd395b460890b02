"""Issue #16 (api/shapes/expand.py, api/queries/facets.py): ``expand=entities`` and ``facet=`` on fact lists, through the API.
Every expectation is computed from the data (the database, or paging through the full list)."""
from collections import Counter

import orjson
import pytest

from support import all_pages

LISTS = ["/v1/facts?limit=7", "/v1/facts?type=statement&limit=5", "/v1/entities/bashar-al-assad/facts?limit=4",
         "/v1/meetings?limit=2", "/v1/sources/bloomberg-2024-07-25/facts?limit=6"]


@pytest.fixture(scope="module")
def entities(db_rows):
    return {r[0]: {"name": r[1], "type": r[2], "aliases": orjson.loads(r[3])}
            for r in db_rows("SELECT id, name, type, aliases FROM entities")}


# ---- expand=entities ---------------------------------------------------------------------------

@pytest.mark.parametrize("url", LISTS)
def test_expand_puts_names_inline_and_changes_nothing_else(client, entities, url):
    plain = all_pages(client, url)
    expanded = all_pages(client, url + "&expand=entities")
    assert [f["id"] for f in expanded] == [f["id"] for f in plain]
    for p, e in zip(plain, expanded):
        assert [{"id": x["id"], "role": x["role"]} for x in e["entities"]] == p["entities"]
        for x in e["entities"]:
            assert {k: x[k] for k in ("name", "type", "aliases")} == entities[x["id"]]
        assert {k: v for k, v in e.items() if k != "entities"} == {k: v for k, v in p.items() if k != "entities"}


def test_without_expand_entities_are_ids_and_roles_only(client):
    """(The bodies without ``expand`` are also checked byte for byte against the schema dump by
    tests/api/test_fast_json.py.)"""
    for url in ("/v1/facts?limit=100", "/v1/meetings?limit=100"):
        assert all(list(x) == ["id", "role"] for f in all_pages(client, url) for x in f["entities"])


@pytest.mark.parametrize("url", ["/v1/facts/putin-assad-meeting-2024-07-24",
                                 "/v1/meetings/putin-assad-meeting-2024-07-24"])
def test_expand_on_items(client, entities, url):
    plain = client.get(url).get_json()
    assert all(set(x) == {"id", "role"} for x in plain["entities"])
    body = client.get(url + "?expand=entities").get_json()
    assert body["entities"] == [{**x, **entities[x["id"]]} for x in plain["entities"]]
    assert {k: v for k, v in body.items() if k != "entities"} == {k: v for k, v in plain.items() if k != "entities"}


def test_expand_in_streams(client, entities):
    lines = client.get("/v1/facts?format=ndjson&expand=entities").get_data(as_text=True).splitlines()
    facts = [orjson.loads(line) for line in lines]
    assert facts and all(x["name"] == entities[x["id"]]["name"] for f in facts for x in f["entities"])


@pytest.mark.parametrize("url", ["/v1/facts?expand=names", "/v1/facts/putin-assad-meeting-2024-07-24?expand=names",
                                 "/v1/facts/putin-assad-meeting-2024-07-24?expand=entities&expand=entities"])
def test_bad_expand_is_a_400_naming_it(client, url):
    response = client.get(url)
    assert response.status_code == 400 and "expand" in response.get_json()["errors"]


# ---- facet= ------------------------------------------------------------------------------------

def expected_counts(facts, name):
    counts = Counter()
    for f in facts:
        if name in ("type", "status"):
            counts[f[name]] += 1
        elif name == "entity":
            counts.update({x["id"] for x in f["entities"]})
        elif name == "source":
            counts.update({c["source"] for c in f["citations"]})
        elif name == "year":
            counts[f["date"][:4] if f["date"] else None] += 1
        elif name == "month":
            counts[f["date"][:7] if f["date"] and len(f["date"]) >= 7 else None] += 1
    return counts


@pytest.mark.parametrize("url", ["/v1/facts?limit=5", "/v1/facts?type=statement&type=event&limit=5",
                                 "/v1/facts?from=2020&to=2020&limit=3", "/v1/facts?entity=vladimir-putin&limit=2",
                                 "/v1/entities/bashar-al-assad/facts?status=stated&limit=3",
                                 "/v1/sources/bloomberg-2024-07-25/facts?sort=-date&limit=4"])
def test_facet_counts_equal_paging_through_the_whole_list(client, url):
    facts = all_pages(client, url)
    names = ["type", "status", "entity", "source", "year", "month"]
    first = client.get(url + "&facet=type,status&facet=entity,source&facet=year&facet=month").get_json()
    assert list(first["facets"]) == names
    for name in names:
        facet = first["facets"][name]
        assert facet["truncated"] is False
        expected = expected_counts(facts, name)
        ranked = sorted(expected.items(), key=lambda kv: (-kv[1], "" if kv[0] is None else kv[0]))
        assert [(v["value"], v["count"]) for v in facet["values"]] == ranked[:30], name
        assert facet["more_values"] == (len(ranked) > 30)
    # every page of the list carries the same counts (the cursor is not a filter)
    if first["next_cursor"]:
        second = client.get(url + f"&facet=type,status&facet=entity,source&facet=year&facet=month"
                                  f"&cursor={first['next_cursor']}").get_json()
        assert second["facets"] == first["facets"]


def test_no_facets_key_without_facet(client):
    assert "facets" not in client.get("/v1/facts?limit=2").get_json()


def test_facet_cut_short_by_the_time_limit_says_so(db_path):
    from api.app import create_app

    client = create_app({"KB_DB": str(db_path), "TESTING": True, "FACET_TIME_LIMIT_MS": 0}).test_client()
    response = client.get("/v1/facts?limit=2&status=stated&facet=entity&facet=type")
    assert response.status_code == 200 and len(response.get_json()["data"]) == 2  # the page is still served
    for facet in response.get_json()["facets"].values():
        assert facet == {"values": [], "more_values": False, "truncated": True}
    # the counts the build stored (every fact, one entity's facts) need no time: never cut short
    entity = client.get("/v1/entities?limit=1").get_json()["data"][0]["id"]
    for url in ("/v1/facts?limit=2", f"/v1/facts?entity={entity}&limit=2", f"/v1/entities/{entity}/facts?limit=2"):
        facets = client.get(url + "&facet=entity&facet=type").get_json()["facets"]
        assert all(f["truncated"] is False and f["values"] for f in facets.values()), url


def test_stored_counts_equal_counting_live(client):
    """The counts kb/facet_counts.py stored for every fact and for each entity's facts are the ones
    counting the same matches live gives (a filter that keeps every fact, every status, makes the
    API count live)."""
    from factmodel.vocabulary import STATUSES

    every_status = "".join(f"&status={s}" for s in STATUSES)
    facet = "&facet=type,status,entity,source,year,month&limit=1"
    entities = [e["id"] for e in all_pages(client, "/v1/entities?limit=100")]
    for scope in ["/v1/facts?"] + [f"/v1/facts?entity={e}" for e in entities]:
        stored = client.get(scope + facet).get_json()["facets"]
        live = client.get(scope + every_status + facet).get_json()["facets"]
        assert stored == live, scope


@pytest.mark.parametrize("url, param, status", [("/v1/facts?facet=color", "facet", 400),
                                                ("/v1/facts?facet=type&format=csv", "facet", 422)])
def test_bad_facet(client, url, param, status):
    response = client.get(url)
    assert response.status_code == status and param in response.get_json()["errors"]
