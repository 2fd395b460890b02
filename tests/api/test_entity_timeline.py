"""An entity's timeline sees everything about it (``/v1/entities/{id}/facts``): the facts where it
has any role of the fact's own fields, is the speaker, or is named in a citation's attribution
chain (``attributed``), each item saying in which roles; ``role=`` filters them; ``fact_counts``
counts them per role, while ``fact_count`` and ``entity=`` keep their meaning (own fields only).
Checked against the seeds read independently (``seed_view``), for every entity."""
import pytest

import seed_view
from support import all_pages


def parts(fact):
    """{entity id: set of roles} of a fact as the seeds write it."""
    found = {}
    for eid, role in seed_view.roles(fact):
        found.setdefault(eid, set()).add(role)
    for citation in fact["citations"]:
        for link in citation.get("attribution") or []:
            if link.get("entity"):
                found.setdefault(link["entity"], set()).add("attributed")
    return found


def timeline(eid):
    """{fact id: roles} the seeds give entity ``eid``."""
    return {fid: parts(fact)[eid] for fid, fact in seed_view.facts().items() if eid in parts(fact)}


ENTITIES = sorted(seed_view.entities())


@pytest.mark.parametrize("eid", ENTITIES)
def test_the_timeline_holds_every_role_and_says_which(client, eid):
    got = all_pages(client, f"/v1/entities/{eid}/facts?limit=100")
    assert {i["id"]: set(i["roles"]) for i in got} == timeline(eid)
    entity = client.get(f"/v1/entities/{eid}").get_json()
    want = timeline(eid)
    assert entity["fact_counts"] == {role: sum(role in roles for roles in want.values())
                                     for role in sorted({r for roles in want.values() for r in roles})}
    # fact_count and entity= keep their meaning: the fact's own fields
    own = {fid for fid, roles in want.items() if roles - {"attributed"}}
    assert entity["fact_count"] == len(own)
    if entity["type"] != "unnamed" or own:
        assert {i["id"] for i in all_pages(client, f"/v1/facts?entity={eid}&limit=100")} == own


@pytest.mark.parametrize("eid", [e for e in ENTITIES if any("attributed" in r for r in timeline(e).values())])
def test_role_filters_the_timeline(client, eid):
    want = timeline(eid)
    for role in sorted({r for roles in want.values() for r in roles}):
        got = all_pages(client, f"/v1/entities/{eid}/facts?role={role}&limit=100")
        assert {i["id"] for i in got} == {fid for fid, roles in want.items() if role in roles}, role


def test_the_kremlins_authority():
    """README cookbook: what is said on the Kremlin's authority is in its timeline."""
    assert any("attributed" in roles for roles in timeline("kremlin").values())
