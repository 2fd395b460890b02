"""Fact-list filters, sorting and pagination, checked against the database itself."""
import pytest

from support import all_pages


def ids(client, url):
    return [f["id"] for f in all_pages(client, url)]


def test_pagination_has_no_duplicate_or_missing_row(client, db_rows):
    expected = [r[0] for r in db_rows("SELECT id FROM facts ORDER BY sort_date, id")]
    for limit in (1, 7, 20):
        assert ids(client, f"/v1/facts?limit={limit}") == expected


def test_descending_sort_is_the_reverse(client):
    assert ids(client, "/v1/facts?sort=-date&limit=9") == list(reversed(ids(client, "/v1/facts?limit=9")))


def test_link_header_points_at_the_next_page(client):
    first = client.get("/v1/facts?limit=5&type=statement")
    link = first.headers["Link"]
    assert link.startswith("</v1/facts?") and link.endswith('>; rel="next"')
    second = client.get(link[1:link.index(">")])
    assert second.status_code == 200
    assert second.get_json()["data"][0]["id"] not in {f["id"] for f in first.get_json()["data"]}
    last = client.get("/v1/facts?limit=100")
    assert "Link" not in last.headers and last.get_json()["next_cursor"] is None


@pytest.mark.parametrize("types", [["meeting"], ["lease", "troop_deployment"], ["event", "statement", "position"]])
def test_type_filter(client, db_rows, types):
    got = ids(client, "/v1/facts?limit=100&" + "&".join(f"type={t}" for t in types))
    marks = ",".join("?" * len(types))
    assert got == [r[0] for r in db_rows(f"SELECT id FROM facts WHERE type IN ({marks}) ORDER BY sort_date, id", types)]


@pytest.mark.parametrize("entities", [["vladimir-putin"], ["vladimir-putin", "bashar-al-assad"],
                                      ["turkey", "syria", "bashar-al-assad"]])
def test_entity_filter_means_all_of_them(client, db_rows, entities):
    got = ids(client, "/v1/facts?limit=6&" + "&".join(f"entity={e}" for e in entities))
    want = [r[0] for r in db_rows("SELECT id FROM facts ORDER BY sort_date, id")
            if all(db_rows("SELECT 1 FROM fact_entities WHERE fact_id = ? AND entity_id = ?", (r[0], e)) for e in entities)]
    assert got == want and got


@pytest.mark.parametrize("status", ["stated", "reported", "predicted", "denied"])
def test_status_filter(client, db_rows, status):
    got = ids(client, f"/v1/facts?limit=100&status={status}")
    assert got == [r[0] for r in db_rows("SELECT id FROM facts WHERE status = ? ORDER BY sort_date, id", (status,))]
    assert got


def test_source_filter(client, db_rows):
    got = set(ids(client, "/v1/facts?limit=100&source=new-arab-2020-04-28"))
    assert got == {r[0] for r in db_rows("SELECT DISTINCT fact_id FROM citations WHERE source_id = 'new-arab-2020-04-28'")}


@pytest.mark.parametrize("start, end", [("2023", None), (None, "2015"), ("2020-03", "2020-04"), ("2011", "2011"),
                                        ("2024-07-24", "2024-07-24"), ("2020-02-15", "2020-03-10")])
def test_date_range_overlap(client, db_rows, start, end):
    params = "&".join(p for p in [f"from={start}" if start else "", f"to={end}" if end else ""] if p)
    got = ids(client, f"/v1/facts?limit=100&{params}")
    lo = {"2023": "2023-01-01", "2020-03": "2020-03-01", "2011": "2011-01-01", "2024-07-24": "2024-07-24",
          "2020-02-15": "2020-02-15"}.get(start)
    hi = {"2015": "2015-12-31", "2020-04": "2020-04-30", "2011": "2011-12-31", "2024-07-24": "2024-07-24",
          "2020-03-10": "2020-03-10"}.get(end)
    want = [r[0] for r in db_rows("SELECT id, date_start, date_end FROM facts WHERE date_start IS NOT NULL "
                                  "ORDER BY sort_date, id")
            if (lo is None or r[2] >= lo) and (hi is None or r[1] <= hi)]
    assert got == want and got


def test_as_of_is_a_time_travel_view(client, db_rows):
    by_2021 = ids(client, "/v1/facts?limit=100&as_of=2021")
    assert by_2021 == [r[0] for r in db_rows("SELECT id FROM facts WHERE first_published <= '2021-12-31' "
                                             "ORDER BY sort_date, id")]
    assert "russia-tartus-port-lease" in by_2021 and "putin-assad-meeting-2024-07-24" not in by_2021
    # the civil war's start is also cited by the 2020 article, so it was known by then
    assert "syrian-civil-war-starts-2011" in by_2021
    assert ids(client, "/v1/facts?limit=100&as_of=2019") == []
    assert len(ids(client, "/v1/facts?limit=100&as_of=2024-07-25")) == db_rows("SELECT count(*) FROM facts")[0][0]


@pytest.mark.parametrize("q, expected", [("ceasefire", "new-ceasefire-since-early-march-2020"),
                                         ("Tartus", "russia-tartus-port-lease"),
                                         ("syrian headache", "shumilin-kremlin-syrian-headache"),
                                         ("erdoğan impossible", "erdogan-restoring-ties-not-impossible")])
def test_full_text_within_the_list(client, q, expected):
    got = ids(client, f"/v1/facts?limit=100&q={q}")
    assert expected in got
    assert set(got) < set(ids(client, "/v1/facts?limit=100"))


@pytest.mark.parametrize("url, expected", [
    ("/v1/meetings?participant=vladimir-putin&participant=bashar-al-assad",
     {"putin-assad-meeting-2023-03", "putin-assad-meeting-2024-07-24", "predicted-putin-assad-erdogan-summit-2024-08"}),
    ("/v1/meetings?participant=recep-tayyip-erdogan", {"predicted-putin-assad-erdogan-summit-2024-08"}),
    ("/v1/troop-deployments?country=united-states&location=northeastern-syria", {"us-troops-northeastern-syria-2024"}),
    ("/v1/leases?lessee=russia&asset=tartus-port", {"russia-tartus-port-lease"}),
    ("/v1/events?kind=ceasefire&kind=ceasefire_violation",
     {"new-ceasefire-since-early-march-2020", "assad-violates-idlib-ceasefire-2020-01"}),
    ("/v1/events?kind=intervention&actor=russia", {"russia-intervenes-in-syria-2015"}),
    ("/v1/statements?speaker=dmitry-peskov&kind=denial", {"peskov-denies-putin-unhappy-with-assad"}),
    ("/v1/positions?holder=dmitry-peskov&organization=kremlin", {"peskov-kremlin-spokesman-2020"}),
    ("/v1/meetings?participant=vladimir-putin&status=stated&sort=-date&limit=1", {"putin-assad-meeting-2024-07-24"}),
])
def test_typed_filters(client, url, expected):
    assert set(f["id"] for f in client.get(url).get_json()["data"]) == expected


def test_typed_filter_ordering_and_pages(client, db_rows):
    got = ids(client, "/v1/events?actor=syria&limit=2")
    want = [r[0] for r in db_rows("SELECT f.id FROM facts f JOIN fact_entities e ON e.fact_id = f.id "
                                  "WHERE e.entity_id = 'syria' AND e.role = 'actor' ORDER BY f.sort_date, f.id")]
    assert got == want and len(got) > 2


def test_cookbook_answers(client):
    latest = client.get("/v1/meetings?participant=vladimir-putin&participant=bashar-al-assad"
                        "&status=stated&sort=-date&limit=1").get_json()["data"][0]
    assert (latest["date"], latest["date_precision"]) == ("2024-07-24", "day")
    troops = client.get("/v1/troop-deployments?country=united-states").get_json()["data"][0]
    assert (troops["count"], troops["count_qualifier"], troops["date"]) == (900, "about", "2024-07-25")
    assert troops["citations"][0]["source"] == "bloomberg-2024-07-25"
    lease = client.get("/v1/leases?asset=tartus-port").get_json()["data"][0]
    assert (lease["lessee"], lease["term_years"], lease["lessor"]) == ("russia", 49, None)
    denial = client.get("/v1/statements?kind=denial").get_json()["data"][0]
    claim = client.get(f"/v1/statements/{denial['responds_to']}").get_json()
    assert denial["speaker"] == "dmitry-peskov" and claim["status"] == "denied"
