"""Issue 31: counts of anything (the ``count`` type, added to schema/facts.schema.json alone),
the conflict rules its ``x-conflict`` declares (and those of leases and troop deployments), and
corrections (the ``corrects`` relation, ``corrected_by``, ``corrected=``).

Exact values on tests/fixtures/counts and on the fixture articles (tests/fixtures/*-article,
grown on the seeds here); invariants on the seeds."""
import re

import pytest

from kb.build import build
from support import FIXTURES, ROOT, all_pages, grown_seeds

VESSELS = ["vessels-19", "vessels-21", "vessels-at-least-12", "vessels-up-to-15"]


def _client(path):
    from api.app import create_app

    return create_app({"KB_DB": str(path), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def counts(tmp_path_factory):
    path = tmp_path_factory.mktemp("counts") / "kb.sqlite"
    build(FIXTURES / "counts", path, progress=False)
    return _client(path)


def conflict_pairs(client, query=""):
    return sorted(tuple(sorted(f["id"] for f in pair["facts"]))
                  for pair in all_pages(client, "/v1/conflicts?limit=100" + query))


def test_the_count_rules_find_the_fixture_conflicts(counts):
    # same counted thing (folded), owner, place and time, values that cannot both hold (qualifiers
    # as ranges); lease terms of one lessee and asset; a same_claim pair whose values differ;
    # never a pair one of which corrects the other
    assert conflict_pairs(counts) == [("aircraft-30-2023", "aircraft-40-2024"), ("lease-25", "lease-49"),
                                      ("vessels-19", "vessels-21"), ("vessels-19", "vessels-up-to-15"),
                                      ("vessels-21", "vessels-up-to-15")]
    assert conflict_pairs(counts, "&type=lease") == [("lease-25", "lease-49")]
    at_least = counts.get("/v1/counts/vessels-at-least-12").get_json()
    assert at_least["conflicts_with"] == [] and at_least["count_qualifier"] == "at_least"
    assert counts.get("/v1/facts/vessels-21").get_json()["conflicts_with"] == ["vessels-19", "vessels-up-to-15"]


def test_counts_are_a_typed_collection_filtered_by_their_roles(counts):
    ids = lambda url: sorted(f["id"] for f in all_pages(counts, url))  # noqa: E731
    assert ids("/v1/counts?of=russia&location=tartus-port") == ids("/v1/facts?type=count")
    assert set(VESSELS) <= set(ids("/v1/counts?valid_at=2024-12"))
    assert "aircraft-30-2023" not in ids("/v1/counts?valid_at=2024-12")
    item = counts.get("/v1/counts/vessels-19").get_json()
    assert (item["counted"], item["of"], item["location"], item["value"], item["misstated_value"]) == \
        ("Naval vessels", "russia", "tartus-port", 19, None)
    assert item["time"]["kind"] == "state"
    assert counts.get("/v1/counts?of=nobody").status_code == 422


def test_corrections_are_served_and_filterable_on_the_fixture(counts):
    eight, six = (counts.get(f"/v1/counts/helicopters-{n}").get_json() for n in (8, 6))
    assert eight["corrected_by"] == ["helicopters-6"] and eight["status"] == "stated"  # stays, marked
    assert six["corrected_by"] == [] and six["misstated_value"] == 8 and six["value"] == 6
    assert [f["id"] for f in all_pages(counts, "/v1/facts?corrected=true")] == ["helicopters-8"]
    assert "helicopters-8" not in {f["id"] for f in all_pages(counts, "/v1/counts?corrected=false")}
    assert counts.get("/v1/facts?corrected=maybe").status_code == 400
    csv = counts.get("/v1/facts?format=csv&corrected=true").get_data(as_text=True).splitlines()
    assert csv[0].split(",")[-1] == "corrected_by" and csv[1].endswith('"[""helicopters-6""]"')


def test_the_fixture_articles_correction_and_qualified_count(tmp_path):
    grown_seeds(tmp_path / "seeds")
    build(tmp_path / "seeds", tmp_path / "kb.sqlite", progress=False)
    client = _client(tmp_path / "kb.sqlite")
    wrong = client.get("/v1/counts/fictional-russian-vessels-tartus-2024-12").get_json()
    assert wrong["value"] == 21 and wrong["corrected_by"] == ["fictional-russian-vessels-tartus-2024-12-corrected"]
    assert wrong["conflicts_with"] == []  # corrected, not in conflict
    fixed = client.get("/v1/counts/fictional-russian-vessels-tartus-2024-12-corrected").get_json()
    assert (fixed["value"], fixed["misstated_value"], fixed["corrected_by"]) == (19, 21, [])
    latest = client.get("/v1/counts/fictional-russian-vessels-tartus-2025-05-01").get_json()
    assert (latest["value"], latest["count_qualifier"]) == (12, "at_least")
    corrected = {f["id"] for f in all_pages(client, "/v1/facts?corrected=true&limit=100")}
    assert "fictional-russian-vessels-tartus-2024-12" in corrected


def test_seeds_corrected_by_is_the_incoming_corrects_relations(client):
    facts = all_pages(client, "/v1/facts?limit=100")
    for fact in facts:
        incoming = [r["fact"] for r in fact["relations"] if (r["type"], r["direction"]) == ("corrects", "incoming")]
        assert fact["corrected_by"] == incoming, fact["id"]
        assert list(fact)[-2:] == ["corrected_by", "attributes"]  # the new key last of the common ones
    corrected = {f["id"] for f in all_pages(client, "/v1/facts?corrected=true&limit=100")}
    uncorrected = {f["id"] for f in all_pages(client, "/v1/facts?corrected=false&limit=100")}
    assert corrected == {f["id"] for f in facts if f["corrected_by"]}
    assert corrected | uncorrected == {f["id"] for f in facts} and not corrected & uncorrected


def test_seeds_counts_are_served_and_their_conflicts_share_what_is_counted(client):
    counts = all_pages(client, "/v1/counts?limit=100")
    assert {f["id"] for f in counts} == {f["id"] for f in all_pages(client, "/v1/facts?type=count&limit=100")}
    by_id = {f["id"]: f for f in counts}
    for fact in counts:
        assert fact["time"]["kind"] in ("state", "prediction")  # a state unless predicted
        for other in fact["conflicts_with"]:
            if other in by_id:
                a, b = fact, by_id[other]
                assert (a["counted"].casefold(), a["of"], a["location"]) == (b["counted"].casefold(), b["of"],
                                                                             b["location"]) or \
                    {"type": "same_claim", "fact": other} in [{"type": r["type"], "fact": r["fact"]}
                                                               for r in a["relations"]]


NAMED = re.compile(r"""(['"])(counted|misstated_value|count_qualifier)\1|/v1/counts\b|(==|=|!=|in)\s*\(?(['"])count\4""")


def test_the_count_type_has_no_python_of_its_own():
    """README "Adding a fact type": the schema says it all; no module of the API, the build or
    the shared model names the type, its collection or its own fields."""
    found = []
    for path in [*ROOT.glob("api/**/*.py"), *ROOT.glob("kb/**/*.py"), *ROOT.glob("factmodel/**/*.py")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = NAMED.search(line)
            if match:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, found
