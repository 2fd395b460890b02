"""Issues 16 and 32: the W3C Reconciliation Service API 0.2 (``/v1/reconcile``) through the API:
the manifest, a batch of queries answered from the entities (by POST and by GET), every request
and answer valid against the protocol's JSON Schemas (tests/reconciliation_schemas/), errors, and
that the POST writes nothing."""
import json
from pathlib import Path
from urllib.parse import quote

import jsonschema
import pytest
import seed_view
from support import ENTITY_TYPES

SCHEMAS = {p.stem: json.loads(p.read_text()) for p in (Path(__file__).parent.parent / "reconciliation_schemas").glob("*.json")}


def valid(name, value):
    jsonschema.validate(value, SCHEMAS[name], cls=jsonschema.Draft7Validator)
    return value


def reconcile(client, queries):
    response = client.post("/v1/reconcile", data={"queries": json.dumps(valid("query-batch", queries))})
    if response.status_code == 200:
        valid("result-batch", response.get_json())
    return response


def test_manifest(client):
    body = valid("manifest", client.get("/v1/reconcile").get_json())
    assert body["versions"] == ["0.2"] and body["identifierSpace"] == "https://syria-kb.example/id/entities/"
    assert {t["id"] for t in body["defaultTypes"]} == set(ENTITY_TYPES)
    assert body["view"]["url"].endswith("/v1/entities/{{id}}")
    assert body["suggest"]["entity"]["service_path"] == "/v1/reconcile/suggest/entity"


def test_the_suggest_service_finds_each_entity_by_the_start_of_its_name(client):
    """OpenRefine's type-ahead: every named entity is suggested for its name, and for the first
    letters of each word of it (among the others sharing them, 10 a page)."""
    entities = [e for e in client.get("/v1/entities?limit=100").get_json()["data"]]
    for entity in entities:
        for prefix in (entity["name"], " ".join(word[:3] for word in entity["name"].split())):
            found, cursor = [], 0
            while True:
                body = valid("suggest-entities-response", client.get(
                    "/v1/reconcile/suggest/entity", query_string={"prefix": prefix, "cursor": cursor}).get_json())
                found += [s["id"] for s in body["result"]]
                if len(body["result"]) < 10 or cursor >= 180:
                    break
                cursor += 10
            assert entity["id"] in found, (prefix, found)
            assert len(found) == len(set(found))  # pages do not repeat
        first = client.get("/v1/reconcile/suggest/entity", query_string={"prefix": entity["name"]}).get_json()
        assert first["result"][0]["name"] == entity["name"] or any(
            s["id"] == entity["id"] for s in first["result"][:3]), entity["id"]
        hit = next(s for s in first["result"] if s["id"] == entity["id"])
        assert hit["notable"] == [{"id": entity["type"], "name": entity["type"].capitalize()}]
    assert client.get("/v1/reconcile/suggest/entity?prefix=").status_code == 400
    assert client.get("/v1/reconcile/suggest/entity?prefix=%21%21").status_code == 422


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


def test_get_with_queries_answers_as_the_post(client):
    """Issue 32: the 0.2 protocol lets a client send the batch by GET (``?queries=``)."""
    queries = {"q0": {"query": "Vladimir Putin", "type": ["person"]}, "q1": {"query": "Russia", "limit": 2.0}}
    sent = quote(json.dumps(valid("query-batch", queries)))
    by_get = client.get("/v1/reconcile?queries=" + sent)
    assert by_get.status_code == 200
    assert valid("result-batch", by_get.get_json()) == reconcile(client, queries).get_json()
    documented = client.get("/v1/reconcile/batch?queries=" + sent)  # the same, as the spec documents it
    assert documented.status_code == 200 and documented.get_json() == by_get.get_json()


def test_the_manifest_takes_no_other_parameter(client):
    """``GET /v1/reconcile`` documents no parameter: ``queries`` is read all the same, any other is a 400."""
    assert client.get("/v1/reconcile?limit=3").status_code == 400
    assert client.get("/v1/reconcile/batch").status_code == 400  # the documented one requires queries


def seed_entity(entity_id):
    found = seed_view.entities().get(entity_id)
    if found is None:
        pytest.skip(f"the seeds no longer have {entity_id}")
    return found


@pytest.mark.parametrize("label, entity_id", [("Recep Erdogan", "recep-tayyip-erdogan"),
                                              ("Kremlin spokesman Peskov", "dmitry-peskov"),
                                              ("Assad regime", "bashar-al-assad")])
def test_ordinary_labels_match_their_entity_with_a_margin(client, label, entity_id):
    """Issue 32: multi-word labels as analysts have them, beside a title or a word no name has,
    rank their entity first, ahead of the next by a clear margin; ``match`` when no other entity
    spelled like it is close."""
    seed_entity(entity_id)
    result = reconcile(client, {"q": {"query": label, "limit": 100}}).get_json()["q"]["result"]
    assert result[0]["id"] == entity_id, result
    others = [c["score"] for c in result[1:]]
    assert not others or others[0] <= result[0]["score"] - 15, result
    assert result[0]["match"] is (result[0]["score"] >= 75), result
    assert not any(c["match"] for c in result[1:])


def test_a_word_no_name_has_does_not_make_a_match(client):
    """A label that is more than a name ("Putin visit") scores below a match; a title does not
    make it exact (100 is only for the very words of a name or alias)."""
    body = reconcile(client, {"a": {"query": "Putin visit"}, "b": {"query": "President Putin"}}).get_json()
    assert all(not c["match"] for c in body["a"]["result"])
    assert all(c["score"] < 100 for v in body.values() for c in v["result"])


@pytest.mark.parametrize("queries", ["not json", "[1]", "{}", json.dumps({"q": {"query": ""}}),
                                     json.dumps({"q": {"query": "x", "type": "planet"}}),
                                     json.dumps({"q": {"query": "x", "limit": 0}}),
                                     json.dumps({f"q{i}": {"query": "x"} for i in range(51)})])
@pytest.mark.parametrize("method", ["post", "get", "batch"])
def test_a_string_that_is_no_batch_is_422(client, queries, method):
    """README's rule: ``queries`` is published as a string, so a string that is not the batch its
    description gives conforms to the schema but is unusable: a 422 naming ``queries``, by POST and
    by GET alike."""
    if method == "post":
        response = client.post("/v1/reconcile", data={"queries": queries})
    else:
        response = client.get(("/v1/reconcile" if method == "get" else "/v1/reconcile/batch") + "?queries=" + quote(queries))
    # by GET, the documented batch takes 680 characters: a longer one breaks the schema (400)
    expected = 400 if method == "batch" and len(queries) > 680 else 422
    assert response.status_code == expected and "queries" in response.get_json()["errors"]


def test_missing_queries_is_400(client):
    assert client.post("/v1/reconcile", data={}).status_code == 400


def test_the_post_writes_nothing(client, db_path):
    before = db_path.read_bytes()
    reconcile(client, {"q": {"query": "Putin"}})
    assert db_path.read_bytes() == before
