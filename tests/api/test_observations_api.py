"""Issue 31 (3, 4) through the API, on the fixture article tests/fixtures/new-article (exact
values: its facts are fictional and fixed) plus, in a temporary copy, a later fictional source
observing its lease again (so that ``as_of`` has an observation to drop):

- the lease observed in April 2020 and again in March 2025 is valid, for certain, in between;
  as known before the later source, only what it had published;
- the talks of early December 2024 are on 1-10 December, about the port (``about=`` on events).
"""
import pytest

from kb.build import build
from support import ROOT, grown_seeds

LEASE, TALKS = "fictional-russia-tartus-lease-2020-2025", "fictional-tartus-base-talks-2024-12"
LATER = "fictional-later-wire-2026-02-02"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from api.app import create_app

    seeds = grown_seeds(tmp_path_factory.mktemp("obs") / "seeds", [ROOT / "tests" / "fixtures" / "new-article"])
    (seeds / "sources" / f"{LATER}.txt").write_text(
        "FICTIONAL ARTICLE, WRITTEN FOR A TEST SUITE ONLY.\n\nThe Tartus lease is still in force in January.\n",
        encoding="utf-8")
    (seeds / "sources" / f"{LATER}.yaml").write_text(
        f'id: {LATER}\ntitle: FICTIONAL TEST ARTICLE\npublisher: Fictional Later Wire\npublished: "2026-02-02"\n'
        "url: null\nlanguage: en\nnote: Fictional, for tests/api/test_observations_api.py only.\n", encoding="utf-8")
    facts = seeds / "facts" / "fictional-test-wire-2025-03-14.yaml"
    text = facts.read_text(encoding="utf-8")
    marker = "        observed: \"2025-03\"\n"
    assert marker in text
    facts.write_text(text.replace(marker, marker + f"      - source: {LATER}\n        quote: The Tartus lease is still "
                                                   "in force in January.\n        observed: \"2026-01\"\n"), encoding="utf-8")
    db = tmp_path_factory.mktemp("obs-db") / "kb.sqlite"
    build(seeds, db, progress=False)
    return create_app({"KB_DB": str(db), "TESTING": True}).test_client()


def ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.json
    return {item["id"]: item.get("time_match") for item in response.json["data"]}


def test_a_state_observed_again_is_served_with_its_observations(client):
    time = client.get(f"/v1/leases/{LEASE}").json["time"]
    assert time["date"] == "2020-04" and time["valid_from"] == "2020-04"
    assert time["observations"] == [{"date": "2020-04", "source": "fictional-test-wire-2025-03-14"},
                                    {"date": "2025-03", "source": "fictional-test-wire-2025-03-14"},
                                    {"date": "2026-01", "source": LATER}]
    assert (time["valid_until"], time["valid_until_basis"]) == ("2026-01", "observation")
    assert list(time)[-8:] == ["observations", "date_part", "not_before_part", "not_after_part", "valid_from_part",
                               "valid_until_part", "expected_not_before_part", "expected_not_after_part"]


@pytest.mark.parametrize("valid_at, match", [("2019", None), ("2020-04", "certain"), ("2022-07-01", "certain"),
                                             ("2025-03", "certain"), ("2025-12-31", "certain"), ("2026-02", None)])
def test_valid_at_between_observations(client, valid_at, match):
    assert ids(client, f"/v1/leases?valid_at={valid_at}&time_match=possible").get(LEASE) == match


def test_as_of_keeps_the_observations_published_by_then(client):
    def time_as_of(day, url="/v1/leases"):
        return next(i for i in client.get(f"{url}?as_of={day}&limit=100").json["data"] if i["id"] == LEASE)["time"]

    time = time_as_of("2025-12")
    assert [o["date"] for o in time["observations"]] == ["2020-04", "2025-03"]
    assert time["valid_until"] == "2025-03" and time_as_of("2025-12", "/v1/facts") == time
    assert time_as_of("2026-02-02")["valid_until"] == "2026-01"
    # the extent as known then: nothing after March 2025 yet
    assert ids(client, "/v1/leases?valid_at=2025-09&time_match=possible&as_of=2025-12").get(LEASE) is None
    assert ids(client, "/v1/leases?valid_at=2025-03&as_of=2025-12").get(LEASE) == "certain"
    assert ids(client, "/v1/leases?valid_at=2025-09&as_of=2026-03").get(LEASE) == "certain"
    assert ids(client, "/v1/facts?valid_at=2025-09&time_match=possible&as_of=2025-12&q=Tartus").get(LEASE) is None
    # the sort key stays the stored one
    listed = client.get("/v1/leases?as_of=2025-12").json["data"]
    assert LEASE in [item["id"] for item in listed]


def test_early_december_is_the_first_ten_days(client):
    fact = client.get(f"/v1/events/{TALKS}").json
    assert (fact["date"], fact["date_precision"], fact["time"]["date_part"]) == ("2024-12", "month", "early")
    assert ids(client, "/v1/events?from=2024-12-01&to=2024-12-10").get(TALKS) == "certain"
    assert ids(client, "/v1/events?from=2024-12-05&to=2024-12-05&time_match=possible").get(TALKS) == "possible"
    assert TALKS not in ids(client, "/v1/events?from=2024-12-11&to=2024-12-31&time_match=possible")


def test_about_on_events(client):
    fact = client.get(f"/v1/events/{TALKS}").json
    assert fact["about"] == ["tartus-port"]
    assert {"id": "tartus-port", "role": "about"} in client.get(f"/v1/facts/{TALKS}").json["entities"]
    found = ids(client, "/v1/events?about=tartus-port")
    assert TALKS in found
    assert all("tartus-port" in client.get(f"/v1/events/{fid}").json["about"] for fid in found)
    assert TALKS not in ids(client, "/v1/events?about=russia")
