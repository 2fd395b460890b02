"""Fact-list filters, sorting and pagination, checked against the database itself and against
the seeds (``seed_view``): every expectation is computed from the data, so the tests hold
whatever articles are added."""
from urllib.parse import parse_qsl, urlsplit

import re

import pytest

import seed_view
from support import all_pages


def ids(client, url):
    return [f["id"] for f in all_pages(client, url)]


def test_pagination_has_no_duplicate_or_missing_row(client, db_rows):
    expected = [r[0] for r in db_rows("SELECT id FROM facts ORDER BY sort_date, id")]
    for limit in (1, 7, 20):
        assert ids(client, f"/v1/facts?limit={limit}") == expected


def test_descending_sort_is_the_reverse(client):
    assert ids(client, "/v1/facts?sort=-date&limit=9") == list(reversed(ids(client, "/v1/facts?limit=9")))


def test_link_header_points_at_the_next_page(client, db_rows):
    first = client.get("/v1/facts?limit=5&type=statement")
    link = first.headers["Link"]
    assert link.startswith("</v1/facts?") and link.endswith('>; rel="next"')
    second = client.get(link[1:link.index(">")])
    assert second.status_code == 200
    assert second.get_json()["data"][0]["id"] not in {f["id"] for f in first.get_json()["data"]}
    # every page but the last links to the next one; the last has neither a Link nor a cursor
    total = db_rows("SELECT count(*) FROM facts")[0][0]
    url, pages = "/v1/facts?limit=100", 0
    while True:
        page = client.get(url)
        body, pages = page.get_json(), pages + 1
        if body["next_cursor"] is None:
            assert "Link" not in page.headers
            break
        assert len(body["data"]) == 100
        link = page.headers["Link"]
        url = link[1:link.index(">")]
        assert f"cursor={body['next_cursor']}" in url
    assert pages == max(1, -(-total // 100))


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


@pytest.mark.parametrize("source", sorted(seed_view.sources()))
def test_source_filter(client, source):
    got = ids(client, f"/v1/facts?limit=100&source={source}")
    want = [f["id"] for f in seed_view.ordered(seed_view.facts().values()) if seed_view.cites(f, source)]
    assert got == want and got


WINDOWS = [("2023", None), (None, "2015"), ("2020-03", "2020-04"), ("2011", "2011"), ("2024-07-24", "2024-07-24"),
           ("2020-01-15", "2020-03-10"), (None, "2000"), ("2020", "2020"), ("2005", "2005")]


@pytest.mark.parametrize("match", ["certain", "possible"])
@pytest.mark.parametrize("start, end", WINDOWS)
def test_date_window(client, start, end, match):
    """docs/methodology.md, section 3: ``certain`` (the default) lists the facts the sources place
    in the window for certain, ``possible`` those whose span only overlaps it too, each item
    marked; the default page says how many possible matches it left out."""
    params = "&".join(p for p in [f"from={start}" if start else "", f"to={end}" if end else ""] if p)
    window = (start and seed_view.interval(start)[0], end and seed_view.interval(end)[1])
    facts = seed_view.ordered(seed_view.facts().values())
    possible = [f["id"] for f in facts if seed_view.possibly_in(f, window)]
    certain = [f["id"] for f in facts if seed_view.certainly_in(f, window)]
    assert set(certain) <= set(possible)
    items = all_pages(client, f"/v1/facts?limit=100&{params}" + ("&time_match=possible" if match == "possible" else ""))
    assert [i["id"] for i in items] == (certain if match == "certain" else possible)
    assert [i["id"] for i in items if i["time_match"] == "certain"] == certain
    body = client.get(f"/v1/facts?limit=1&{params}&time_match={match}").get_json()
    assert body["possible_matches"] == (len(possible) - len(certain) if match == "certain" else 0)


def test_an_inverted_window_is_a_422(client):
    for url in ("/v1/facts?from=2024&to=2020", "/v1/meetings?from=2024-08&to=2024-07",
                "/v1/facts?from=2021&valid_at=2020", "/v1/conflicts?from=2024&to=2020",
                "/v1/entities/vladimir-putin/related?from=2024&to=2020"):
        response = client.get(url)
        assert response.status_code == 422 and response.mimetype == "application/problem+json", url
        assert "the window is empty" in next(iter(response.get_json()["errors"].values()))[0], url


def _as_of_dates():
    """Each source's publication day, the day before it, its month and year; a year before any source; a few more."""
    published = {s["published"] for s in seed_view.sources().values()}
    dates = {d for p in published for d in (p, seed_view.day_before(p), p[:7], p[:4])}
    return sorted(dates | {str(int(min(published)[:4]) - 1), "2019", "2021", "2024-07-25"})


@pytest.mark.parametrize("as_of", _as_of_dates())
def test_as_of_is_a_time_travel_view(client, as_of):
    """as_of=D lists exactly the facts with a citation from a source published on or before D
    (the end of D when D is a month or a year), in the usual order."""
    got = ids(client, f"/v1/facts?limit=100&as_of={as_of}")
    known = seed_view.known_as_of(as_of)
    assert got == [f["id"] for f in seed_view.ordered(seed_view.facts().values()) if f["id"] in known]


@pytest.mark.parametrize("fact_id", ["russia-tartus-port-lease", "opposition-militias-form-2011",
                                     "putin-assad-meeting-2024-07-24", "syrian-civil-war-starts-2011"])
def test_as_of_keeps_what_was_known_then(client, fact_id):
    """Audit M1: a fact is known in 2021 exactly when one of its citations was published by the
    end of 2021, whatever it is about (the civil war's start in 2011, said by the 2024 article
    alone in these seeds, is not known in 2021; the militias forming in 2011, in the 2020 caption, is)."""
    by_2021 = set(ids(client, "/v1/facts?limit=100&as_of=2021"))
    published = [seed_view.sources()[c["source"]]["published"] for c in seed_view.facts()[fact_id]["citations"]]
    assert (fact_id in by_2021) == (min(published) <= "2021-12-31")


def test_as_of_travels_through_time():
    """The view above is no tautology on these seeds: nothing is known the day before the
    first source, everything as of the last one, and something but not everything in between;
    a fact cited by several sources is known from the earliest of them."""
    every = set(seed_view.facts())
    published = sorted({s["published"] for s in seed_view.sources().values()})
    assert seed_view.known_as_of(seed_view.day_before(published[0])) == set()
    assert seed_view.known_as_of(published[-1]) == every
    assert set() < seed_view.known_as_of(published[0]) < every
    # facts cited by several sources (none in today's seeds since audit M1; an article may add some)
    multi = [f for f in seed_view.facts().values() if len({c["source"] for c in f["citations"]}) > 1]
    for fact in multi:
        earliest = seed_view.first_published(fact)
        assert fact["id"] in seed_view.known_as_of(earliest)
        assert fact["id"] not in seed_view.known_as_of(seed_view.day_before(earliest))


@pytest.mark.parametrize("q, expected", [("ceasefire", "new-ceasefire-since-early-march-2020"),
                                         ("Tartus", "russia-tartus-port-lease"),
                                         ("syrian headache", "shumilin-kremlin-syrian-headache"),
                                         ("erdoğan impossible", "erdogan-restoring-ties-not-impossible")])
def test_full_text_within_the_list(client, q, expected):
    got = ids(client, f"/v1/facts?limit=100&q={q}")
    assert expected in got
    assert set(got) < set(ids(client, "/v1/facts?limit=100"))


# typed collection filter -> role of the entity it names (the others: kind (any of), status, sort, limit)
TYPED_ROLE_FILTERS = {"participant": "participant", "location": "location", "country": "country",
                      "supporting": "supporting", "lessee": "lessee", "lessor": "lessor", "asset": "asset",
                      "actor": "actor", "speaker": "speaker", "about": "about", "holder": "holder",
                      "organization": "organization"}


def typed_expectation(url):
    """The ids ``url`` (a typed collection with filters) must list, in order, computed from the seeds."""
    parts = urlsplit(url)
    ftype = seed_view.PATHS[parts.path.rsplit("/", 1)[1]]
    query = parse_qsl(parts.query)
    want_roles = {(value, TYPED_ROLE_FILTERS[key]) for key, value in query if key in TYPED_ROLE_FILTERS}
    kinds = {value for key, value in query if key == "kind"}
    statuses = {value for key, value in query if key == "status"}
    matching = [f for f in seed_view.facts().values() if f["type"] == ftype and want_roles <= seed_view.roles(f)
                and (not kinds or f["kind"] in kinds) and (not statuses or f["status"] in statuses)]
    return [f["id"] for f in seed_view.ordered(matching, descending=dict(query).get("sort") == "-date")]


# (url, ids that were in the answer when the test was written: they stay, whatever is added)
@pytest.mark.parametrize("url, known", [
    ("/v1/meetings?participant=vladimir-putin&participant=bashar-al-assad",
     {"putin-assad-meeting-2023-03", "putin-assad-meeting-2024-07-24"}),
    ("/v1/statements?speaker=elena-suponina&kind=prediction", {"suponina-predicts-agreement-as-early-as-august"}),
    ("/v1/meetings?participant=vladimir-putin&participant=bashar-al-assad&status=stated&sort=-date", set()),
    ("/v1/troop-deployments?country=united-states&location=northeastern-syria", {"us-troops-northeastern-syria-2024"}),
    ("/v1/troop-deployments?country=united-states", {"us-troops-northeastern-syria-2024"}),
    ("/v1/leases?lessee=russia&asset=tartus-port", {"russia-tartus-port-lease"}),
    ("/v1/events?kind=ceasefire&kind=ceasefire_violation",
     {"new-ceasefire-since-early-march-2020", "assad-violates-idlib-ceasefire-2020-01"}),
    ("/v1/events?kind=intervention&actor=russia", {"russia-intervenes-in-syria-2015"}),
    ("/v1/statements?speaker=dmitry-peskov&kind=denial", {"peskov-denies-putin-unhappy-with-assad"}),
    ("/v1/statements?kind=denial", {"peskov-denies-putin-unhappy-with-assad"}),
    ("/v1/positions?holder=dmitry-peskov&organization=kremlin", {"peskov-kremlin-spokesman-2020"}),
])
@pytest.mark.parametrize("limit", [1, 3, 100])
def test_typed_filters(client, url, known, limit):
    """Every page of a typed list with filters is the seeds' matching facts, in order."""
    want = typed_expectation(url)
    assert want and known <= set(want)
    assert ids(client, f"{url}&limit={limit}") == want
    first = client.get(f"{url}&limit=1").get_json()["data"]
    assert [f["id"] for f in first] == want[:1]


def test_latest_meeting_of_a_participant(client):
    """sort=-date&limit=1 is the latest: no stated meeting with Putin is dated after it."""
    meetings = [f for f in seed_view.facts().values() if f["type"] == "meeting" and f["status"] == "stated"
                and ("vladimir-putin", "participant") in seed_view.roles(f)]
    latest = client.get("/v1/meetings?participant=vladimir-putin&status=stated&sort=-date&limit=1").get_json()["data"]
    assert [m["id"] for m in latest] == [seed_view.ordered(meetings, descending=True)[0]["id"]]
    assert all(seed_view.sort_key(m) <= seed_view.sort_key(seed_view.facts()[latest[0]["id"]]) for m in meetings)


def test_typed_filter_ordering_and_pages(client, db_rows):
    got = ids(client, "/v1/events?actor=turkey&limit=2")
    want = [r[0] for r in db_rows("SELECT f.id FROM facts f JOIN fact_entities e ON e.fact_id = f.id "
                                  "WHERE e.entity_id = 'turkey' AND e.role = 'actor' ORDER BY f.sort_date, f.id")]
    assert got == want and len(got) > 2


def test_cookbook_answers(client):
    """The README's questions, answered right for whatever the seeds hold."""
    facts = seed_view.facts()
    stated = [f for f in facts.values() if f["type"] == "meeting" and f["status"] == "stated"
              and {("vladimir-putin", "participant"), ("bashar-al-assad", "participant")} <= seed_view.roles(f)]
    latest = client.get("/v1/meetings?participant=vladimir-putin&participant=bashar-al-assad"
                        "&status=stated&sort=-date&limit=1").get_json()["data"][0]
    expected = seed_view.ordered(stated, descending=True)[0]
    assert (latest["id"], latest["date"], latest["date_precision"]) == \
           (expected["id"], expected["date"], expected["date_precision"])

    troops = all_pages(client, "/v1/troop-deployments?country=united-states")
    assert troops and len(troops) == sum(f["type"] == "troop_deployment" and f["country"] == "united-states"
                                         for f in facts.values())
    for item in troops:
        fact = facts[item["id"]]
        assert (item["count"], item["count_qualifier"], item["date"], item["country"]) == \
               (fact["count"], fact["count_qualifier"], fact["date"], "united-states")
        assert [c["source"] for c in item["citations"]] == [c["source"] for c in fact["citations"]]

    leases = all_pages(client, "/v1/leases?asset=tartus-port")
    assert leases and {item["id"] for item in leases} == \
           {f["id"] for f in facts.values() if f["type"] == "lease" and f["asset"] == "tartus-port"}
    for item in leases:
        fact = facts[item["id"]]
        assert (item["lessee"], item["term_years"], item["lessor"]) == (fact["lessee"], fact["term_years"], fact["lessor"])

    denials = all_pages(client, "/v1/statements?kind=denial")
    assert denials and {d["id"] for d in denials} == \
           {f["id"] for f in facts.values() if f["type"] == "statement" and f["kind"] == "denial"}
    for denial in denials:
        claim = client.get(f"/v1/statements/{denial['responds_to']}").get_json()
        assert denial["speaker"] == facts[denial["id"]]["speaker"] and denial["responds_to"] == facts[denial["id"]]["responds_to"]
        assert claim["status"] == "denied"  # README "Fact conventions": what a denial responds to is denied


# ---- voice and independent sources (docs/methodology.md, section 2) ----------------------------

def test_voice_partitions_every_list_and_follows_the_status(client):
    every = all_pages(client, "/v1/facts?limit=100")
    own = all_pages(client, "/v1/facts?voice=own&limit=100")
    relayed = all_pages(client, "/v1/facts?voice=attributed&limit=100")
    assert sorted(i["id"] for i in own + relayed) == sorted(i["id"] for i in every)
    assert all(i["voice"] == "own" and any(c["voice"] == "own" for c in i["citations"]) for i in own)
    assert all(i["voice"] == "attributed" and all(c["voice"] == "attributed" for c in i["citations"]) for i in relayed)
    assert all(i["status"] != "reported" for i in own) and all(i["status"] != "stated" for i in relayed)
    # relayed predictions are found too: every attributed prediction of the seeds
    predicted = {i["id"] for i in all_pages(client, "/v1/facts?voice=attributed&status=predicted&limit=100")}
    assert predicted == {i["id"] for i in relayed if i["status"] == "predicted"}


@pytest.mark.parametrize("as_of", [None, "2021", "2024-07-25"])
def test_min_sources_is_independent_sources_in_sql(client, as_of):
    suffix = f"&as_of={as_of}" if as_of else ""
    every = all_pages(client, f"/v1/facts?limit=100{suffix}")
    for n in range(1, max([i["independent_sources"] for i in every] + [1]) + 2):
        got = [i["id"] for i in all_pages(client, f"/v1/facts?limit=7&min_sources={n}{suffix}")]
        assert got == [i["id"] for i in every if i["independent_sources"] >= n], (n, as_of)
    facet = client.get(f"/v1/facts?limit=1&facet=independent_sources").get_json()["facets"]["independent_sources"]
    everything = all_pages(client, "/v1/facts?limit=100")
    assert {v["value"]: v["count"] for v in facet["values"]} == {
        str(n): sum(i["independent_sources"] == n for i in everything) for n in {i["independent_sources"] for i in everything}}


def test_one_article_is_one_source_unless_it_names_two(client):
    """Second audit H3: a "reportedly" beside a relayed report, in one article, is one source."""
    for item in all_pages(client, "/v1/facts?limit=100"):
        by_article = {}
        for c in item["citations"]:
            by_article.setdefault(c["source"], set()).add(c["origin"])
        named = {}
        for c in item["citations"]:
            named.setdefault(c["source"], set()).update(lk["fact"] or lk["entity"] for lk in c["attribution"]
                                                        if lk["fact"] or lk["relation"] == "reported_by")
        for source, found in by_article.items():
            assert len(found) == 1 or len(named[source]) >= 2, (item["id"], source, found)
        assert item["independent_sources"] == len({c["origin"] for c in item["citations"]})


# ---- names where ids are expected --------------------------------------------------------------

ENTITY_PARAMS = ["/v1/facts?entity={}", "/v1/facts?attributed_to={}", "/v1/statements?speaker={}",
                 "/v1/meetings?participant={}", "/v1/positions?holder={}", "/v1/conflicts?entity={}",
                 "/v1/entities/{}/facts?entity={}"]


@pytest.mark.parametrize("url", ENTITY_PARAMS)
def test_a_name_where_an_id_is_expected_suggests_the_ids(client, url):
    """``speaker=putin``: a 422 whose error names the entities with that word in a name or alias."""
    entity, word = next((e, seed_view.fold(e["name"]).split()[-1]) for e in seed_view.entities().values()
                        if e["type"] != "unnamed" and len(e["id"].split("-")) > 1
                        and seed_view.fold(e["name"]).split()[-1] not in seed_view.entities())
    owners = sorted({eid for spelling, ids in seed_view.spellings().items() if word in spelling.split()
                     for eid in ids if seed_view.entities()[eid]["type"] != "unnamed"})
    target = url.format(entity["id"], word) if url.count("{}") == 2 else url.format(word)
    response = client.get(target)
    assert response.status_code == 422 and response.mimetype == "application/problem+json", target
    (message,) = next(iter(response.get_json()["errors"].values()))
    assert message.startswith(f"unknown entity {word!r} (did you mean ") and entity["id"] in message, message
    assert set(re.findall(r"'([a-z0-9-]+)'", message.split("did you mean")[1])) <= set(owners) | {entity["id"]}


def test_nonsense_gets_no_suggestion(client):
    assert client.get("/v1/facts?entity=zzqx-nobody").get_json()["errors"] == {"entity": ["unknown entity 'zzqx-nobody'"]}
