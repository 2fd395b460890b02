"""The provenance model through the API (issue 13, /work/model-contract.md, docs/methodology.md):
time kinds and spans, relations, attribution, ``as_of`` per citation, permanent ids, unnamed
entities. Two databases, both built by the real loader: the fixture of tests/fixtures/provenance
(the audit's examples, whose README names what each fact shows) and the seeds (invariants).
Every expectation is read from the database's own columns or the fixture's seeds, not restated."""
import csv
import io
import sqlite3

import orjson
import pytest
import yaml

from api.shapes.facts import TYPE_PATHS
from factmodel.dates import date_range
import seed_view
from kb.build import build
from support import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "provenance"
TIME_KEYS = ["kind", "date", "precision", "date_inferred", "not_before", "not_before_basis", "not_after",
             "not_after_basis", "valid_from", "valid_from_basis", "valid_until", "valid_until_basis", "ended_before",
             "ended_before_basis", "expected_not_before", "expected_not_before_basis", "expected_not_after",
             "expected_not_after_basis"]
CITATION_KEYS = ["source", "publisher", "title", "published", "quote", "start", "end", "attribution", "origin", "voice"]


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("provenance") / "kb.sqlite"
    build(FIXTURE, path, progress=False)
    return path


@pytest.fixture(scope="module")
def api(fixture_db):
    from api.app import create_app

    return create_app({"KB_DB": str(fixture_db), "TESTING": True}).test_client()


def _rows(path, sql, params=()):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def facts(fixture_db):
    """Every fact row of the fixture, by id, with its JSON columns decoded."""
    out = {}
    for row in _rows(fixture_db, "SELECT * FROM facts"):
        fact = dict(row)
        for key in ("time", "relations", "citations", "entities", "attributes"):
            fact[key] = orjson.loads(fact[key])
        out[fact["id"]] = fact
    return out


def _all(api, url):
    """Every item of a list, page after page (limit 2: the cursors cross the window's parts)."""
    ids, sep = [], "&" if "?" in url else "?"
    page = api.get(f"{url}{sep}limit=2")
    while True:
        assert page.status_code == 200, (url, page.get_json())
        body = page.get_json()
        ids += [item["id"] for item in body["data"]]
        if not body["next_cursor"]:
            return ids
        page = api.get(f"{url}{sep}limit=2&cursor={body['next_cursor']}")


def _ordered(facts, ids, sort="date"):
    return [fid for _, fid in sorted(((facts[f]["sort_date"], f) for f in ids), reverse=sort == "-date")]


# ---- shapes -------------------------------------------------------------------------------------

def test_every_fact_shape_has_time_relations_and_full_citations(api, facts, fixture_db):
    sources = {r["id"]: dict(r) for r in _rows(fixture_db, "SELECT * FROM sources")}
    for fid, row in facts.items():
        path = TYPE_PATHS[row["type"]]
        for body in (api.get(f"/v1/facts/{fid}").get_json(), api.get(f"/v1/{path}/{fid}").get_json()):
            assert list(body["time"]) == TIME_KEYS and body["time"] == row["time"]
            assert body["time"]["kind"] == row["time_kind"]
            assert body["relations"] == row["relations"]
            for citation in body["citations"]:
                assert list(citation) == CITATION_KEYS
                source = sources[citation["source"]]
                assert (citation["publisher"], citation["title"], citation["published"]) == \
                       (source["publisher"], source["title"], source["published"])
                for link in citation["attribution"]:
                    assert list(link) == ["relation", "entity", "fact"]
    listed = {item["id"]: item for path in TYPE_PATHS.values() for item in api.get(f"/v1/{path}?limit=100")
              .get_json()["data"]}
    assert {fid: (item["time"], item["relations"]) for fid, item in listed.items()} == \
           {fid: (row["time"], row["relations"]) for fid, row in facts.items()}


def test_events_have_targets_in_the_target_role(api, facts):
    penalties = api.get("/v1/events/us-european-penalties-on-assad").get_json()
    assert penalties["targets"] == facts["us-european-penalties-on-assad"]["attributes"]["targets"] == ["bashar-al-assad"]
    assert {"id": "bashar-al-assad", "role": "target"} in penalties["entities"]
    for item in api.get("/v1/events?limit=100").get_json()["data"]:
        assert item["targets"] == facts[item["id"]]["attributes"]["targets"]
    # every role has its filter: target= on the events
    targeted = [fid for fid, f in facts.items() if "bashar-al-assad" in f["attributes"].get("targets", [])]
    assert _all(api, "/v1/events?target=bashar-al-assad") == _ordered(facts, targeted) == ["us-european-penalties-on-assad"]
    assert api.get("/v1/events?target=no-such-entity").status_code == 422


def test_streams_carry_time_and_relations(api, facts):
    lines = api.get("/v1/facts?format=ndjson").data.splitlines()
    streamed = {item["id"]: item for item in map(orjson.loads, lines)}
    assert {fid: (i["time"], i["relations"]) for fid, i in streamed.items()} == \
           {fid: (r["time"], r["relations"]) for fid, r in facts.items()}
    table = list(csv.DictReader(io.StringIO(api.get("/v1/statements?format=csv").get_data(as_text=True))))
    header = api.get("/v1/statements?format=csv").get_data(as_text=True).splitlines()[0].split(",")
    # new columns go last: the old keep their positions (issue 16 appended two more, 1.6.0 time_match,
    # 1.10.0 corrected_by)
    assert header[-8:] == ["time", "relations", "independent_sources", "conflicts_with", "time_match", "voice",
                           "roles", "corrected_by"]
    for line in table:
        assert orjson.loads(line["time"]) == facts[line["id"]]["time"]
        assert orjson.loads(line["relations"]) == facts[line["id"]]["relations"]
        assert [c["published"] for c in orjson.loads(line["citations"])] == \
               [c["published"] for c in facts[line["id"]]["citations"]]


def test_time_as_the_readme_says(facts):
    """The fixture README's examples: a derived not_after, an expected lower bound, a state's validity."""
    assert facts["peskov-denies-putin-unhappy-with-assad"]["time"]["not_after"] == "2020-04-28"
    suponina = facts["suponina-predicts-agreement-as-early-as-august"]
    assert (suponina["time_kind"], suponina["time"]["expected_not_before"]) == ("prediction", "2024-08")
    assert (suponina["span_start"], suponina["span_end"]) == ("2024-08-01", "9999-12-31")
    ceasefire = facts["new-ceasefire-since-early-march-2020"]
    assert (ceasefire["time_kind"], ceasefire["span_start"], ceasefire["span_end"]) == ("state", "2020-03-01", "2020-04-28")
    assert facts["erdogan-assad-fall-out"]["span_start"] == "2011-01-01"


# ---- filters ------------------------------------------------------------------------------------

WINDOWS = [("2024-09", None), ("2011-06", "2011-06"), ("2020-04-28", "2020-04-28"), (None, "2019"), ("2015", "2016"),
           ("2020", None), ("1990", "1995")]


def _seed_facts():
    """The fixture's facts as written, and each one's earliest citing article."""
    published = {yaml.safe_load(p.read_text(encoding="utf-8"))["id"]: str(yaml.safe_load(p.read_text(
        encoding="utf-8"))["published"]) for p in (FIXTURE / "sources").glob("*.yaml")}
    written = {f["id"]: f for f in yaml.safe_load((FIXTURE / "facts" / "facts.yaml").read_text(encoding="utf-8"))["facts"]}
    return written, {fid: min(published[c["source"]] for c in f["citations"]) for fid, f in written.items()}


@pytest.mark.parametrize("sort", ["date", "-date"])
@pytest.mark.parametrize("window", WINDOWS)
def test_from_to_certain_and_possible(api, facts, window, sort):
    """``time_match=possible``: a fact matches when [span_start, span_end] overlaps the window,
    open spans included (an undated denial has no start, a prediction without an end has none).
    The default, ``certain``: only those the sources place in it for certain (seed_view's reading
    of docs/methodology.md, section 3), a subset."""
    start, end = window
    first = date_range(start)[0] if start else ""
    last = date_range(end)[1] if end else "9999-12-31"
    possible = [fid for fid, f in facts.items() if f["span_end"] >= first and f["span_start"] <= last]
    query = "&".join(q for q in (f"from={start}" if start else "", f"to={end}" if end else "", f"sort={sort}") if q)
    assert _all(api, f"/v1/facts?{query}&time_match=possible") == _ordered(facts, possible, sort)
    written, earliest = _seed_facts()
    certain = [fid for fid in possible if seed_view.certainly_in(written[fid], (first or None, end and last),
                                                                  earliest[fid])]
    assert _all(api, f"/v1/facts?{query}") == _ordered(facts, certain, sort)


def test_open_spans_are_only_possible_far_from_their_dates(api):
    """Facts without a start or without an end may lie in windows far from their dates: found with
    time_match=possible, never for certain."""
    for url, fid in (("/v1/facts?from=2030", "suponina-predicts-agreement-as-early-as-august"),
                     ("/v1/facts?to=1990", "peskov-denies-putin-unhappy-with-assad"),
                     ("/v1/facts?from=2023&to=2023", "erdogan-assad-fall-out")):  # not_before 2011, not after 2024
        assert fid in _all(api, url + "&time_match=possible") and fid not in _all(api, url), url


@pytest.mark.parametrize("day", ["2020-03-15", "2020-04-28", "2024-07-25", "2019", "2020-05-01", "2020-03"])
def test_valid_at_is_the_states_holding_that_day(api, facts, day):
    first, last = date_range(day)
    possible = [fid for fid, f in facts.items()
                if f["time_kind"] == "state" and f["span_start"] <= last and f["span_end"] >= first]
    assert _all(api, f"/v1/facts?valid_at={day}&time_match=possible") == _ordered(facts, possible)
    written, earliest = _seed_facts()
    certain = [fid for fid in possible if seed_view.certainly_in(written[fid], (first, last), earliest[fid])]
    assert _all(api, f"/v1/facts?valid_at={day}") == _ordered(facts, certain)
    if day == "2020-03-15":  # "since early March": may hold on 15 March, known to hold from 31 March
        assert possible == ["new-ceasefire-since-early-march-2020"] and certain == []
    if day == "2020-03":
        assert certain == ["new-ceasefire-since-early-march-2020"]


def test_attributed_to(api, facts, fixture_db):
    named = {link["entity"] for f in facts.values() for c in f["citations"] for link in c["attribution"] if link["entity"]}
    assert {"bloomberg", "former-russian-officials", "russian-publications"} <= named
    for entity in named:
        expected = [fid for fid, f in facts.items()
                    if any(link["entity"] == entity for c in f["citations"] for link in c["attribution"])]
        assert _all(api, f"/v1/facts?attributed_to={entity}") == _ordered(facts, expected)
    nobody = api.get("/v1/facts?attributed_to=vladimir-putin").get_json()  # an entity nobody is attributed to
    assert nobody["data"] == []
    unknown = api.get("/v1/facts?attributed_to=no-such-entity")
    assert unknown.status_code == 422 and unknown.mimetype == "application/problem+json"
    assert "attributed_to" in unknown.get_json()["errors"]


def test_related_to_and_relation(api, facts):
    for fid in facts:
        for rtype in [None, *sorted({r["type"] for r in facts[fid]["relations"]})]:
            expected = [other for other, f in facts.items()
                        if any(r["fact"] == fid and (rtype is None or r["type"] == rtype) for r in f["relations"])]
            url = f"/v1/facts?related_to={fid}" + (f"&relation={rtype}" if rtype else "")
            assert _all(api, url) == _ordered(facts, expected), url
    # "who denied this?" is one call
    denials = api.get("/v1/statements?related_to=putin-unhappy-with-assad-claim-2020&relation=responds_to&kind=denial")
    assert [s["id"] for s in denials.get_json()["data"]] == ["peskov-denies-putin-unhappy-with-assad"]
    derived = [fid for fid, f in facts.items() if any(r["type"] == "derived_from" for r in f["relations"])]
    assert _all(api, "/v1/facts?relation=derived_from") == _ordered(facts, derived)
    unknown = api.get("/v1/facts?related_to=no-such-fact")
    assert unknown.status_code == 422 and "related_to" in unknown.get_json()["errors"]
    assert api.get("/v1/facts?related_to=erdogan-assad-fall-out&relation=nonsense").status_code == 400


@pytest.mark.parametrize("as_of", ["2019", "2020-04-28", "2021", "2024-07-24", "2024"])
def test_as_of_shows_only_the_citations_published_by_then(api, facts, as_of):
    end = date_range(as_of)[1]
    expected = {fid: [c for c in f["citations"] if c["published"] <= end] for fid, f in facts.items()}
    expected = {fid: cites for fid, cites in expected.items() if cites}
    page = api.get(f"/v1/facts?as_of={as_of}&limit=100").get_json()["data"]
    assert {item["id"]: item["citations"] for item in page} == expected
    for path in set(TYPE_PATHS.values()):
        for item in api.get(f"/v1/{path}?as_of={as_of}&limit=100").get_json()["data"]:
            assert item["citations"] == expected[item["id"]]
    if as_of == "2021":  # the README's example: the 2024 quote is not shown to a reader of 2021
        assert [c["source"] for c in expected["syrian-civil-war-starts-2011"]] == ["new-arab-2020-04-28"]


# ---- permanent ids ------------------------------------------------------------------------------

def test_former_ids_redirect_permanently(api, facts, fixture_db):
    redirects = _rows(fixture_db, "SELECT old_id, kind, new_id FROM redirects")
    assert {r["kind"] for r in redirects} == {"fact", "entity"}
    for old, kind, new in redirects:
        if kind == "fact":
            current = TYPE_PATHS[facts[new]["type"]]
            cases = {f"/v1/facts/{old}": f"/v1/facts/{new}"}
            cases.update({f"/v1/{path}/{old}": f"/v1/{current}/{new}" for path in set(TYPE_PATHS.values())})
        else:
            cases = {f"/v1/entities/{old}": f"/v1/entities/{new}",
                     f"/v1/entities/{old}/facts?sort=-date&limit=3": f"/v1/entities/{new}/facts?sort=-date&limit=3"}
        for url, location in cases.items():
            for method in (api.get, api.head):
                got = method(url)
                assert (got.status_code, got.headers["Location"]) == (308, location), url
            assert api.get(location).status_code == 200
    # a former meeting that became a statement redirects into the statements
    got = api.get("/v1/meetings/predicted-putin-assad-erdogan-summit-2024-08")
    assert got.headers["Location"] == "/v1/statements/suponina-predicts-agreement-as-early-as-august"
    assert api.get("/v1/facts/no-such-fact").status_code == 404
    assert api.get("/v1/entities/no-such-entity/facts").status_code == 404


# ---- unnamed entities ---------------------------------------------------------------------------

def test_unnamed_entities_are_served_but_not_listed_or_found(api, fixture_db):
    unnamed = {r["id"] for r in _rows(fixture_db, "SELECT id FROM entities WHERE type = 'unnamed'")}
    assert "unnamed-reports" in unnamed
    listed = {e["id"] for e in api.get("/v1/entities?limit=100").get_json()["data"]}
    named = {r["id"] for r in _rows(fixture_db, "SELECT id FROM entities WHERE type != 'unnamed'")}
    assert listed == named
    assert {e["id"] for e in api.get("/v1/entities?type=unnamed&limit=100").get_json()["data"]} == unnamed
    for eid in unnamed:
        assert api.get(f"/v1/entities/{eid}").get_json()["type"] == "unnamed"
        assert api.get(f"/v1/entities/{eid}/facts").status_code == 200
    hits = api.get("/v1/search?q=unnamed reports&kind=entity").get_json()["data"]
    assert not {h["id"] for h in hits} & unnamed
    assert not {e["id"] for e in api.get("/v1/entities?q=reports").get_json()["data"]} & unnamed


# ---- invariants on the real seeds ---------------------------------------------------------------

def test_seed_citations_carry_their_sources_publisher_and_date(db_rows):
    sources = {r["id"]: r for r in db_rows("SELECT id, publisher, title, published FROM sources")}
    for row in db_rows("SELECT id, citations, first_published FROM facts"):
        citations = orjson.loads(row["citations"])
        for c in citations:
            s = sources[c["source"]]
            assert (c["publisher"], c["title"], c["published"]) == (s["publisher"], s["title"], s["published"]), row["id"]
        assert row["first_published"] == min(c["published"] for c in citations)


def test_seed_spans(db_rows):
    """sort_date is the span's start and every span is ordered; a state's span contains its date
    (the observation); a dated act's span is its date's interval, never later than the article
    (cut at the earliest citing source's publication)."""
    for r in db_rows("SELECT id, time_kind, date_start, date_end, sort_date, span_start, span_end, first_published "
                     "FROM facts"):
        assert r["sort_date"] == r["span_start"] and r["span_start"] <= r["span_end"], r["id"]
        if r["date_start"] and r["time_kind"] == "state":
            assert r["span_start"] <= r["date_start"] and r["date_end"] <= r["span_end"], r["id"]
        if r["date_start"] and r["time_kind"] == "act":
            assert r["span_start"] == r["date_start"], r["id"]
            assert r["span_end"] == min(r["date_end"], r["first_published"]), r["id"]


def test_seed_relations_appear_in_both_directions(db_rows):
    flip = {"outgoing": "incoming", "incoming": "outgoing"}
    pairs = {(r["fact_id"], r["type"], r["other_id"], r["direction"])
             for r in db_rows("SELECT fact_id, type, other_id, direction FROM fact_relations")}
    assert {(o, t, f, flip[d]) for f, t, o, d in pairs} == pairs
    for row in db_rows("SELECT id, relations FROM facts"):
        assert {(row["id"], r["type"], r["fact"], r["direction"]) for r in orjson.loads(row["relations"])} == \
               {p for p in pairs if p[0] == row["id"]}
    for row in db_rows("SELECT fact_id, responds_to FROM statements WHERE responds_to IS NOT NULL"):
        assert (row["fact_id"], "responds_to", row["responds_to"], "outgoing") in pairs


@pytest.mark.parametrize("as_of", ["2015", "2020", "2023-06", "2024-07-24"])
def test_seed_as_of_never_shows_a_later_citation(client, db_rows, as_of):
    end = date_range(as_of)[1]
    expected = {r["id"] for r in db_rows("SELECT id FROM facts WHERE first_published <= ?", (end,))}
    lines = client.get(f"/v1/facts?as_of={as_of}&format=ndjson").data.splitlines()
    served = [orjson.loads(line) for line in lines]
    assert {f["id"] for f in served} == expected
    for fact in served:
        assert fact["citations"] and all(c["published"] <= end for c in fact["citations"]), fact["id"]


def test_independent_sources_follow_as_of_in_lists_and_filters(api):
    """The fixture's civil-war start is cited by The New Arab (2020) and Bloomberg (2024): two
    independent sources, one as of 2021; min_sources= answers the same in SQL."""
    war = "syrian-civil-war-starts-2011"
    assert api.get(f"/v1/facts/{war}").get_json()["independent_sources"] == 2
    assert _all(api, "/v1/facts?min_sources=2") == [war]
    assert _all(api, "/v1/facts?min_sources=2&as_of=2021") == []
    item = next(i for i in api.get("/v1/facts?as_of=2021&limit=100").get_json()["data"] if i["id"] == war)
    assert item["independent_sources"] == 1 and [c["origin"] for c in item["citations"]] == ["outlet:the-new-arab"]
    facet = api.get("/v1/facts?limit=1&facet=independent_sources").get_json()["facets"]["independent_sources"]
    assert {v["value"]: v["count"] for v in facet["values"]} == {"1": len(_all(api, "/v1/facts")) - 1, "2": 1}
    assert api.get("/v1/facts?min_sources=0").status_code == 400
