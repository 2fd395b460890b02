"""Issue 16: the W3C Reconciliation Service API 0.2 (``/v1/reconcile``) through the API: the
manifest, a batch of queries answered from the entities, errors, and that the POST writes nothing."""
import json

import pytest
import seed_view
from support import ENTITY_TYPES


def reconcile(client, queries):
    return client.post("/v1/reconcile", data={"queries": json.dumps(queries)})


def test_manifest(client):
    body = client.get("/v1/reconcile").get_json()
    assert body["versions"] == ["0.2"] and body["identifierSpace"] == "https://syria-kb.example/id/entities/"
    assert {t["id"] for t in body["defaultTypes"]} == set(ENTITY_TYPES)
    assert body["view"]["url"].endswith("/v1/entities/{{id}}")


def test_a_batch_of_queries(client, db_rows):
    response = reconcile(client, {"q1": {"query": "Bashar Assad", "type": "person"},
                                  "q2": {"query": "Russian Federation", "limit": 1}, "none": {"query": "zzzqqq"}})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"q1", "q2", "none"}
    top = {key: value["result"][0] for key, value in body.items() if value["result"]}
    assert top["q1"]["id"] == "bashar-al-assad" and top["q1"]["type"] == [{"id": "person", "name": "Person"}]
    assert top["q2"]["id"] == "russia" and len(body["q2"]["result"]) == 1  # an alias matches exactly
    assert body["none"]["result"] == []
    for value in body.values():  # best first, names as the entities have them
        scores = [c["score"] for c in value["result"]]
        assert scores == sorted(scores, reverse=True)
    names = dict(db_rows("SELECT id, name FROM entities"))
    assert all(c["name"] == names[c["id"]] for v in body.values() for c in v["result"])


def spelling_batches():
    """Every name and alias of the seeds' entities (not the unnamed), as batches of at most 50 queries."""
    named = {eid for eid, e in seed_view.entities().items() if e["type"] != "unnamed"}
    spellings = sorted(s for s, ids in seed_view.spellings().items() if ids & named)
    return [spellings[i:i + 50] for i in range(0, len(spellings), 50)]


@pytest.mark.parametrize("batch", spelling_batches(), ids=lambda b: f"{b[0]}..{b[-1]}")
def test_a_name_matches_when_one_entity_alone_has_it(client, batch):
    """README: ``match`` when one entity alone has the name or alias exactly; a spelling that two
    entities share ("Erdogan" of two people) matches neither, and both are candidates at 100."""
    body = reconcile(client, {f"q{i}": {"query": s, "limit": 100} for i, s in enumerate(batch)}).get_json()
    for i, spelling in enumerate(batch):
        owners = seed_view.spellings()[spelling]
        result = body[f"q{i}"]["result"]
        exact = {c["id"] for c in result if c["score"] == 100}
        assert owners <= exact, (spelling, result)
        matched = [c["id"] for c in result if c["match"]]
        assert matched == (sorted(owners) if len(owners) == 1 else []), (spelling, result)


def test_type_restricts_the_candidates(client):
    body = reconcile(client, {"q": {"query": "Syria", "type": "place", "limit": 100}}).get_json()
    types = {c["type"][0]["id"] for c in body["q"]["result"]}
    assert types <= {"place"}


@pytest.mark.parametrize("queries", ["not json", "[1]", "{}", json.dumps({"q": {"query": ""}}),
                                     json.dumps({"q": {"query": "x", "type": "planet"}}),
                                     json.dumps({"q": {"query": "x", "limit": 0}}),
                                     json.dumps({f"q{i}": {"query": "x"} for i in range(51)})])
def test_unusable_queries_are_422(client, queries):
    response = client.post("/v1/reconcile", data={"queries": queries})
    assert response.status_code == 422 and "queries" in response.get_json()["errors"]


def test_missing_queries_is_400(client):
    assert client.post("/v1/reconcile", data={}).status_code == 400


def test_the_post_writes_nothing(client, db_path):
    before = db_path.read_bytes()
    reconcile(client, {"q": {"query": "Putin"}})
    assert db_path.read_bytes() == before
