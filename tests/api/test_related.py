"""Issue #16: ``/v1/entities/{id}/related`` through the API, checked against the entity's own
timeline (``/v1/entities/{id}/facts``, paged to its end): the same facts, counted by hand, in
the same roles (the fact's own fields' and ``attributed``)."""
from collections import Counter

import pytest

from support import all_pages


def expected(client, entity, role=None, related_role=None, window=""):
    facts = all_pages(client, f"/v1/entities/{entity}/facts?limit=100{window}")  # in (sort_date, id) order
    counts, latest = Counter(), {}
    for fact in facts:
        if role and role not in fact["roles"]:  # the timeline says in which roles the entity is in it
            continue
        # every other entity in the fact, in the same roles a timeline counts: its own fields', and
        # "attributed" for those its citations' chains name
        parts = [(x["id"], x["role"]) for x in fact["entities"]] + [
            (link["entity"], "attributed") for c in fact["citations"] for link in c["attribution"] if link["entity"]]
        others = {eid for eid, part in parts if eid != entity and (related_role is None or part == related_role)}
        for other in others:
            counts[other] += 1
            latest[other] = fact["id"]  # the last one in timeline order is the most recent
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(other, n, latest[other]) for other, n in ranked]


@pytest.mark.parametrize("entity, query, role, related_role, window", [
    ("bashar-al-assad", "", None, None, ""),
    ("vladimir-putin", "role=participant", "participant", None, ""),
    ("bashar-al-assad", "related_role=participant&from=2024", None, "participant", "&from=2024"),
    ("turkey", "from=2020&to=2020", None, None, "&from=2020&to=2020"),
    ("russia", "role=lessee&related_role=asset", "lessee", "asset", ""),
])
def test_related_matches_the_timeline(client, entity, query, role, related_role, window):
    for limit in (1, 4, 100):
        got = all_pages(client, f"/v1/entities/{entity}/related?limit={limit}" + (f"&{query}" if query else ""))
        assert [(r["id"], r["shared_facts"], r["latest_shared_fact"]["id"]) for r in got] == \
            expected(client, entity, role, related_role, window)
    for r in got:
        assert r["links"]["shared_facts"] == f"/v1/entities/{entity}/facts?entity={r['id']}"
        entity_body = client.get(r["links"]["self"]).get_json()
        assert (r["name"], r["type"]) == (entity_body["name"], entity_body["type"])
        fact = client.get(r["latest_shared_fact"]["link"]).get_json()
        assert (fact["date"], fact["summary"]) == (r["latest_shared_fact"]["date"], r["latest_shared_fact"]["summary"])


@pytest.mark.parametrize("url, status, param", [
    ("/v1/entities/no-such-entity/related", 404, None),
    ("/v1/entities/bashar-al-assad/related?role=king", 400, "role"),
    ("/v1/entities/bashar-al-assad/related?from=2021-02-30", 422, "from"),
    ("/v1/entities/bashar-al-assad/related?cursor=abc.def", 422, "cursor"),
])
def test_related_errors(client, url, status, param):
    response = client.get(url)
    assert response.status_code == status
    if param:
        assert param in response.get_json()["errors"]
