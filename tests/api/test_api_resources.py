"""Every endpoint answers from the real database with the documented shape."""
from urllib.parse import quote

import pytest

import seed_view
from support import ENTITY_TYPES, all_pages

TYPED = [("meetings", "meeting"), ("troop-deployments", "troop_deployment"), ("leases", "lease"),
         ("events", "event"), ("statements", "statement"), ("positions", "position"), ("counts", "count")]
COMMON = {"id", "type", "summary", "date", "date_precision", "time", "status", "note", "entities", "citations",
          "relations", "links", "independent_sources", "conflicts_with", "voice",
          "corrected_by"}  # issue 16; voice: 1.7.0; corrected_by: 1.10.0


def test_index_counts_and_links(client, db_rows):
    body = client.get("/v1").get_json()
    assert body["counts"]["facts"] == db_rows("SELECT count(*) FROM facts")[0][0]
    assert body["counts"]["meetings"] == db_rows("SELECT count(*) FROM meetings")[0][0]
    assert len(body["dataset_version"]) == 64
    for name in ["facts", "entities", "sources", "search", *[p for p, _ in TYPED]]:
        assert client.get(body["links"][name] + ("?q=assad" if name == "search" else "")).status_code == 200


def test_health_and_readiness(client, db_rows):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "ready"
    assert ready["dataset_version"] == db_rows("SELECT value FROM meta WHERE key='dataset_version'")[0][0]


def test_readiness_fails_cleanly_without_database(tmp_path):
    from api.app import create_app

    client = create_app({"KB_DB": str(tmp_path / "missing.sqlite")}).test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert client.get("/v1/facts").status_code == 503


def test_every_fact_in_common_shape(client, db_rows):
    facts = all_pages(client, "/v1/facts?limit=100")
    assert len(facts) == db_rows("SELECT count(*) FROM facts")[0][0]
    for fact in facts:
        assert set(fact) == COMMON | {"attributes"}
        assert fact["citations"] and all({"source", "publisher", "title", "published", "quote", "start", "end", "attribution",
                                           "origin", "voice"} == set(c)
                                          for c in fact["citations"])
        assert client.get(fact["links"]["typed"]).get_json()["id"] == fact["id"]


@pytest.mark.parametrize("path, ftype", TYPED)
def test_typed_lists_and_items(client, db_rows, path, ftype):
    items = all_pages(client, f"/v1/{path}?limit=5")
    assert len(items) == db_rows("SELECT count(*) FROM facts WHERE type = ?", (ftype,))[0][0] > 0
    for item in items:
        assert item["type"] == ftype and "attributes" not in item
        generic = client.get(f"/v1/facts/{item['id']}").get_json()
        for key, value in generic["attributes"].items():
            assert item[key] == value
        assert client.get(item["links"]["self"]).get_json() == item


@pytest.mark.parametrize("path, ftype", TYPED)
def test_typed_item_of_another_type_is_404(client, path, ftype):
    others = [fid for fid, f in sorted(seed_view.facts().items()) if f["type"] != ftype]
    assert len({seed_view.facts()[fid]["type"] for fid in others}) == len(TYPED) - 1
    for other in others:
        response = client.get(f"/v1/{path}/{other}")
        assert response.status_code == 404 and response.mimetype == "application/problem+json", other


def test_fact_entities_list_every_role(client):
    fact = client.get("/v1/facts/us-troops-northeastern-syria-2024").get_json()
    assert {(e["id"], e["role"]) for e in fact["entities"]} == {
        ("united-states", "country"), ("northeastern-syria", "location"), ("us-kurdish-allies", "supporting")}
    # and every fact: each entity its fields name, with that field's role, and nothing else
    for fact in all_pages(client, "/v1/facts?limit=100"):
        assert {(e["id"], e["role"]) for e in fact["entities"]} == seed_view.roles(seed_view.facts()[fact["id"]]), \
            fact["id"]


@pytest.mark.parametrize("query, expected", [
    ("erdogan", "recep-tayyip-erdogan"), ("Erdoğan", "recep-tayyip-erdogan"), ("ERDOGAN", "recep-tayyip-erdogan"),
    ("assad", "bashar-al-assad"), ("Bashar al-Assad", "bashar-al-assad"), ("turkiye", "turkey"), ("peskov", "dmitry-peskov"),
])
def test_entity_search_is_case_and_diacritic_insensitive(client, query, expected):
    ids = [e["id"] for e in all_pages(client, f"/v1/entities?q={quote(query)}&limit=100")]
    assert expected in ids


@pytest.mark.parametrize("etype", ENTITY_TYPES)
def test_entity_type_filter(client, db_rows, etype):
    items = all_pages(client, f"/v1/entities?type={etype}&limit=3")
    assert {e["type"] for e in items} == {etype}
    assert len(items) == db_rows("SELECT count(*) FROM entities WHERE type = ?", (etype,))[0][0]


def test_entity_item_and_timeline(client, db_rows):
    putin = client.get("/v1/entities/vladimir-putin").get_json()
    assert putin["name"] == "Vladimir Putin" and "Putin" in putin["aliases"]
    timeline = all_pages(client, "/v1/entities/vladimir-putin/facts?limit=4")
    assert len(timeline) == putin["fact_count"] == len({t["id"] for t in timeline})
    assert all(any(e["id"] == "vladimir-putin" for e in f["entities"]) for f in timeline)
    keys = [(f["date"] is not None, f["date"] or "", f["id"]) for f in timeline]
    dated = [k for k in keys if k[0]]
    assert dated == sorted(dated, key=lambda k: (min_date(k[1]), k[2]))
    assert client.get("/v1/entities/nobody").status_code == 404


def min_date(partial):
    return partial + "-01-01"[len(partial) - 4:] if len(partial) < 10 else partial


def test_sources(client):
    listed = all_pages(client, "/v1/sources?limit=100")
    assert {s["id"] for s in listed} == set(seed_view.sources()) and len(listed) == len(seed_view.sources())
    assert {"bloomberg-2024-07-25", "new-arab-2020-04-28"} <= {s["id"] for s in listed}
    assert client.get("/v1/sources/nope").status_code == 404


@pytest.mark.parametrize("source_id", sorted(seed_view.sources()))
def test_source_detail_and_what_it_supports(client, source_id):
    seed = seed_view.sources()[source_id]
    detail = client.get(f"/v1/sources/{source_id}").get_json()
    assert (detail["publisher"], detail["published"], detail["title"], detail["url"]) == \
           (seed["publisher"], seed["published"], seed["title"], seed["url"])
    assert detail["text"] == seed["text"]
    facts = all_pages(client, f"/v1/sources/{source_id}/facts?limit=10")
    assert [f["id"] for f in facts] == [f["id"] for f in seed_view.ordered(seed_view.facts().values())
                                        if seed_view.cites(f, source_id)]
    assert len(facts) == detail["fact_count"] > 0
    for fact in facts:
        cites = [c for c in fact["citations"] if c["source"] == source_id]
        assert cites
        for c in cites:
            assert " ".join(detail["text"][c["start"]:c["end"]].split()) == " ".join(c["quote"].split())


def test_search_ranks_and_marks(client):
    body = client.get("/v1/search?q=ceasefire+idlib").get_json()
    assert body["data"], body
    hits = all_pages(client, "/v1/search?q=ceasefire+idlib&limit=100")
    assert hits[:len(body["data"])] == body["data"]
    assert all("<mark>" in h["snippet"] for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert {"new-ceasefire-since-early-march-2020", "assad-violates-idlib-ceasefire-2020-01"} <= \
           {h["id"] for h in hits if h["kind"] == "fact"}
    for hit in hits:
        assert client.get(hit["link"]).status_code == 200, hit
    kinds = {h["kind"] for h in all_pages(client, "/v1/search?q=tartus&limit=100")}
    assert {"entity", "fact", "source"} <= kinds
    only = client.get("/v1/search?q=tartus&kind=entity").get_json()["data"]
    assert only and {h["kind"] for h in only} == {"entity"}


def test_search_pages_without_duplicates(client):
    everything = [(h["kind"], h["id"]) for h in all_pages(client, "/v1/search?q=assad&limit=100")]
    paged = [(h["kind"], h["id"]) for h in all_pages(client, "/v1/search?q=assad&limit=3")]
    assert paged == everything and len(everything) > 3


def test_docs_page_uses_local_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html
    for asset in ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-init.js"]:
        assert f"/docs/assets/{asset}" in html
        assert client.get(f"/docs/assets/{asset}").status_code == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
