"""The pages a person reads and cites (/facts/{id}, /sources/{id}, /entities/{id}), over the
Flask test client on the database built from the seeds: every fact, source and entity the API
serves has a page that says what its JSON says, with each quote highlighted at its offsets.
The browser's view of them: tests/api/test_pages_browser.py."""
import hashlib
import html
import json
import shutil

import lxml.html
import pytest
from pyld import jsonld

from api.pages import passages, words
from factmodel import vocabulary
from api.pages.linked_data import script
from api.http.protocol import source_digest
from support import ROOT, all_pages  # noqa: E402

SCHEMA = "https://schema.org/"


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.mimetype == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    return response, lxml.html.fromstring(response.get_data(as_text=True))


def _linked_data(doc):
    """The page's JSON-LD, expanded by pyld with no network (the context is inline)."""
    blocks = doc.xpath('//script[@type="application/ld+json"]')
    assert len(blocks) == 1 and not doc.xpath('//script[not(@type="application/ld+json")]')
    return jsonld.expand(json.loads(blocks[0].text))


def _nodes(expanded, kind):
    found = []

    def walk(value):
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if SCHEMA + kind in value.get("@type", []):
                found.append(value)
            for item in value.values():
                walk(item)
    walk(expanded)
    return found


def _text(node, prop):
    return [v["@value"] for v in node.get(SCHEMA + prop, [])]


def _ids(node, prop):
    return [v["@id"] for v in node.get(SCHEMA + prop, [])]


@pytest.fixture(scope="module")
def facts(app):
    client = app.test_client()
    return all_pages(client, "/v1/facts?limit=100")


@pytest.fixture(scope="module")
def source_texts(app):
    client = app.test_client()
    return {s["id"]: client.get(f"/v1/sources/{s['id']}").get_json()["text"] for s in all_pages(client, "/v1/sources")}


def test_every_fact_page_highlights_each_quote_at_its_offsets(client, facts, source_texts):
    for fact in facts:
        response, doc = _page(client, f"/facts/{fact['id']}")
        item = client.get(f"/v1/facts/{fact['id']}")
        # the page and its JSON link each other
        assert item.headers["Link"] == f'</facts/{fact["id"]}>; rel="alternate"; type="text/html"'
        assert client.get(fact["links"]["typed"]).headers["Link"] == item.headers["Link"]
        assert doc.xpath('//link[@rel="alternate"][@type="application/json"]/@href') == [f"/v1/facts/{fact['id']}"]
        assert doc.xpath("//h1")[0].text_content() == fact["summary"]
        marks = doc.xpath("//ol[@class='citations']//mark")
        assert len(marks) == len(fact["citations"])
        for mark, citation in zip(marks, fact["citations"]):
            assert (int(mark.get("data-start")), int(mark.get("data-end"))) == (citation["start"], citation["end"])
            assert mark.text_content() == citation["quote"] == source_texts[citation["source"]][citation["start"]:citation["end"]]
        # the chain of attribution in words names everyone in it, and the publisher first
        chains = [p.text_content() for p in doc.xpath("//p[@class='chain']")]
        for chain, citation in zip(chains, fact["citations"]):
            assert chain.startswith(citation["publisher"] + ", ")
            named = [a["entity"] for a in citation["attribution"] if a["entity"]]
            for entity_id in named:
                assert client.get(f"/v1/entities/{entity_id}").get_json()["name"] in chain
        # a corrected fact says so first, linking what corrects it
        notice = doc.xpath("//p[contains(@class, 'corrected')]")
        assert bool(notice) == bool(fact["corrected_by"])
        if notice:
            assert notice[0].xpath("a/@href") == [f"/facts/{other}" for other in fact["corrected_by"]]
        # every related fact is linked
        linked = set(doc.xpath("//ul[@class='relations']//a/@href"))
        assert linked == {f"/facts/{r['fact']}" for r in fact["relations"]} | {f"/facts/{o}" for o in fact["conflicts_with"]}

        # every field that names no entity is listed, an unknown one as "not given"
        shown = dict(zip([dt.text_content() for dt in doc.xpath("//dl[@class='details']/dt")],
                         [dd.text_content() for dd in doc.xpath("//dl[@class='details']/dd")]))
        role_fields = {field for field, _ in vocabulary.ROLE_FIELDS[fact["type"]]}  # under "Who and what"
        assert set(shown) == {key.replace("_", " ") for key in fact["attributes"] if key not in role_fields}
        for key, value in fact["attributes"].items():
            if key not in role_fields:
                expected = "not given" if value in (None, []) else ", ".join(map(str, value)) if isinstance(value, list) \
                    else str(value)
                assert shown[key.replace("_", " ")].replace(" ", "_") == expected.replace(" ", "_"), key

        claims = _nodes(_linked_data(doc), "Claim")
        assert len(claims) == 1 and claims[0]["@id"].endswith(f"/facts/{fact['id']}")
        assert _text(claims[0], "text") == [fact["summary"]]
        cited = {c["source"] for c in fact["citations"]}
        assert {i.rsplit("/", 1)[1] for i in _ids(claims[0], "appearance")} == cited
        assert sorted(q for part in claims[0][SCHEMA + "hasPart"] for q in _text(part, "text")) == \
            sorted(c["quote"] for c in fact["citations"])
        assert {i.rsplit("/", 1)[1] for i in _ids(claims[0], "about")} == {e["id"] for e in fact["entities"]}


@pytest.mark.parametrize("kind, unit", [("act", None), ("state", "observed"), ("prediction", "prediction")])
def test_time_in_words_says_not_given_where_the_json_has_no_bound(client, facts, kind, unit):
    for fact in (f for f in facts if f["time"]["kind"] == kind):
        _, doc = _page(client, f"/facts/{fact['id']}")
        when = doc.xpath("//p[@class='when']")[0].text_content()
        first = min(fact["citations"], key=lambda c: (c["published"], c["source"]))
        assert when.startswith(f"{fact['status'].capitalize()} by {first['publisher']}")
        if unit:
            assert unit in when
        time = fact["time"]
        if kind == "state" and (time["valid_from"] is None or time["valid_from_basis"] == "observation"):
            assert "since when, not given" in when
        if kind == "act" and time["date"] is None and time["not_before"] is None:
            assert "since when, not given" in when
        if time.get("date_part"):  # early/mid/late of a month is said
            assert f"{time['date_part']} {words.day(time['date'])}" in when
        later = sorted({o["date"] for o in time.get("observations") or []} - {time["date"]})
        if later:  # a state observed again: each observation, and how long it is known to hold
            assert "and again" in when and all(words.day(d) in when for d in later)
            assert f"known to hold until {words.day(later[-1])}" in when


def test_source_pages_show_passages_in_article_order_and_the_uncited_sentences(client, source_texts):
    for sid, text in source_texts.items():
        source = client.get(f"/v1/sources/{sid}")
        assert source.headers["Link"] == f'</sources/{sid}>; rel="alternate"; type="text/html"'
        _, doc = _page(client, f"/sources/{sid}")
        facts = all_pages(client, f"/v1/sources/{sid}/facts?limit=100")
        citations = sorted((c["start"], c["end"], f["id"]) for f in facts for c in f["citations"] if c["source"] == sid)
        marks = doc.xpath("//ol[@class='passages']//mark")
        assert [(int(m.get("data-start")), int(m.get("data-end"))) for m in marks] == [(s, e) for s, e, _ in citations]
        assert [m.text_content() for m in marks] == [text[s:e] for s, e, _ in citations]
        assert [a.get("href") for a in doc.xpath("//ol[@class='passages']//p[@class='cites']/a")] == \
            [f"/facts/{fid}" for _, _, fid in citations]
        # coverage: a sentence is marked uncited exactly when no citation overlaps it
        spans = passages.sentences(text)
        uncited = [(s, e) for s, e in spans if not any(cs < e and s < ce for cs, ce, _ in citations)]
        full = doc.xpath("//div[@class='full-text']")
        if source.get_json().get("republish", None) is not None:
            pytest.fail("republish is not a field of the JSON item")  # the JSON does not change
        shown = [s for s in doc.xpath("//span[contains(@class, 'uncited')][@id]")] if full else \
            doc.xpath("//ul[@class='uncited-list']/li")
        assert len(shown) == len(uncited)
        if full:  # republication allowed: the whole text, sentence by sentence
            assert full[0].text_content().split() == " ".join(
                ("(not cited) " if (s, e) in uncited else "") + text[s:e] for s, e in spans).split()
        else:  # not allowed: the coverage lists the uncited sentences by position, without their text
            coverage = doc.xpath("//section[@aria-labelledby='coverage']")[0].text_content()
            for s, e in uncited:
                assert text[s:e] not in coverage and f"characters {s}–{e}" in coverage
        articles = _nodes(_linked_data(doc), "NewsArticle")
        assert len(articles) == 1 and _text(articles[0], "headline") == [source.get_json()["title"]]


def _entity_page_items(client, path):
    """Every fact of an entity's page, following its "later facts" links: (fact id, [roles])."""
    items = []
    while path:
        _, doc = _page(client, path)
        for li in doc.xpath("//ol[@class='entity-facts']/li[a]"):
            items.append((li.xpath("a/@href")[0].rsplit("/", 1)[1], li.xpath(".//span[@class='role']")))
        path = (doc.xpath("//a[@rel='next']/@href") or [None])[0]
    return [(fid, [r.text_content() for r in roles]) for fid, roles in items]


def test_entity_pages_list_what_the_entity_timeline_lists_in_its_roles(client):
    for entity in all_pages(client, "/v1/entities?limit=100"):
        item = client.get(f"/v1/entities/{entity['id']}")
        assert item.headers["Link"] == f'</entities/{entity["id"]}>; rel="alternate"; type="text/html"'
        timeline = all_pages(client, f"/v1/entities/{entity['id']}/facts?limit=100")
        shown = _entity_page_items(client, f"/entities/{entity['id']}")
        assert [fid for fid, _ in shown] == [f["id"] for f in timeline]  # the same facts, in the same order
        for (_, roles), fact in zip(shown, timeline):
            assert len(roles) == len(fact["roles"])
        for role in item.get_json()["fact_counts"]:  # each role's link lists what role= lists
            by_role = all_pages(client, f"/v1/entities/{entity['id']}/facts?limit=100&role={role}")
            assert [fid for fid, _ in _entity_page_items(client, f"/entities/{entity['id']}?role={role}")] == \
                [f["id"] for f in by_role]
        _, doc = _page(client, f"/entities/{entity['id']}")
        related = client.get(f"/v1/entities/{entity['id']}/related?limit=12").get_json()["data"]
        assert doc.xpath("//ul[@class='related']/li/a/@href") == [f"/entities/{r['id']}" for r in related]
        node = _nodes(_linked_data(doc), {"person": "Person", "country": "Country", "place": "Place"}.get(
            entity["type"], "Organization" if entity["type"] in ("organization", "group") else "Thing"))
        assert len(node) == 1 and _text(node[0], "name") == [entity["name"]]
        assert sorted(_text(node[0], "alternateName")) == sorted(entity["aliases"])


def test_entity_pages_mark_possible_dates(client, facts):
    undated = [f for f in facts if not f["time"]["date"] and f["entities"]]
    for fact in undated[:10]:
        eid = fact["entities"][0]["id"]
        _, doc = _page(client, f"/entities/{eid}")
        for li in doc.xpath("//ol[@class='entity-facts']/li[a]"):
            if li.xpath("a/@href")[0] == f"/facts/{fact['id']}":
                assert "Possible dates only" in li.text_content()


def test_the_home_page_says_what_the_api_index_says(client):
    index = client.get("/v1").get_json()
    _, doc = _page(client, "/")
    text = " ".join(doc.text_content().split())
    assert index["dataset_version"][:12] in text
    for kind in ("facts", "sources", "entities"):
        assert f"{index['counts'][kind]} {kind}" in text
    assert doc.xpath("//form[@role='search'][@action='/search']")
    assert set(doc.xpath("//a/@href")) >= {"/v1/conflicts", "/v1/downloads"}
    feed = all_pages(client, "/v1/changes?limit=100") if index["release"] else []
    shown = [li.text_content() for li in doc.xpath("//ul[@class='changes']/li")]
    assert len(shown) == min(15, len(feed))  # the newest changes of the feed, newest release first
    if feed:
        first = min((c for c in feed if c["release"] == feed[-1]["release"]), key=lambda c: (c["kind"], c["id"]))
        assert first["release"] in shown[0] and (first["new_id"] or first["id"]) in shown[0]


def test_the_search_page_shows_the_hits_of_the_search_api(client):
    names = [e["name"] for e in all_pages(client, "/v1/entities?limit=100")][:8]
    for q in names + ["<script>alert(1)</script>"]:
        hits = client.get("/v1/search", query_string={"q": q, "limit": 20}).get_json()["data"]
        response, doc = _page(client, "/search?" + __import__("urllib.parse").parse.urlencode({"q": q}))
        assert "<script>alert" not in response.get_data(as_text=True)  # what the reader typed is text
        shown = doc.xpath("//ol[@class='hits']/li/a/@href")
        pages = {"fact": "/facts/", "entity": "/entities/", "source": "/sources/"}
        assert shown == [pages[h["kind"]] + h["id"] for h in hits]
        for li, h in zip(doc.xpath("//ol[@class='hits']/li"), hits):  # each snippet, its marks kept
            snippet = li.xpath("p[@class='snippet']")[0]
            assert [m.text_content() for m in snippet.xpath("mark")] == \
                [part.split("</mark>")[0] for part in h["snippet"].split("<mark>")[1:]]
            assert snippet.text_content() == h["snippet"].replace("<mark>", "").replace("</mark>", "")


def test_pages_answer_conditional_and_head_requests_like_the_api(client, facts):
    path = f"/facts/{facts[0]['id']}"
    first = client.get(path)
    assert first.headers["ETag"] and first.headers["Cache-Control"].startswith("public")
    assert first.headers["Last-Modified"] and first.headers["X-Dataset-Version"]
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    head = client.head(path)
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == first.headers["ETag"]
    assert client.get("/pages/static/pages.css").status_code == 200


@pytest.mark.parametrize("path", ["/facts/no-such-fact", "/sources/no-such-source", "/entities/no-such-entity",
                                  "/facts/Not_A_Slug", "/facts/a/b"])
def test_missing_pages_are_pages(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert lxml.html.fromstring(response.data).xpath("//h1")[0].text_content() == "404 Not Found"


def test_a_former_id_redirects_to_the_current_page(client, db_rows):
    for old, new in db_rows("SELECT old_id, new_id FROM redirects WHERE kind = 'fact'"):
        response = client.get(f"/facts/{old}")
        assert response.status_code == 308 and response.headers["Location"] == f"/facts/{new}"


def test_a_quote_cannot_close_the_data_block():
    doc = {"text": "</script><script>alert(1)</script> & <!--"}
    text = script(doc)
    assert "<" not in text and ">" not in text and "&" not in text and json.loads(text) == doc


def test_templates_and_static_files_at_any_depth_change_the_etags(tmp_path):
    package = tmp_path / "api"
    shutil.copytree(ROOT / "api", package, ignore=shutil.ignore_patterns("__pycache__"))
    before = source_digest(package, hashlib.sha256()).hexdigest()
    deep = package / "templates" / "pages" / "partials" / "deeper"
    deep.mkdir(parents=True)
    (deep / "note.html").write_text("<p>x</p>", encoding="utf-8")
    after_template = source_digest(package, hashlib.sha256()).hexdigest()
    (package / "static" / "pages" / "print.css").write_text("a{}", encoding="utf-8")
    after_static = source_digest(package, hashlib.sha256()).hexdigest()
    assert len({before, after_template, after_static}) == 3


def test_a_permalink_keeps_what_was_cited(tmp_path):
    """On a scratch repository whose second commit modifies, removes, renames and adds a fact: the
    permalink of each in the first release shows it as it was then, with what changed since; in
    the second, the removed one is its tombstone, the others are current."""
    from api.app import create_app
    from kb.build import build
    from support import four_changes, git, scratch_repo

    repo = scratch_repo(tmp_path)
    modified, removed, (old, new), added = four_changes(repo)
    (repo / "seeds" / "removals.yaml").write_text(
        f"removals:\n  - {{kind: fact, id: {removed}, reason: retracted by the source}}\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "why")
    build(repo / "seeds", tmp_path / "kb.sqlite", progress=False)
    client = create_app({"KB_DB": str(tmp_path / "kb.sqlite"), "TESTING": True}).test_client()
    releases = [r["id"] for r in reversed(all_pages(client, "/v1/releases"))]  # oldest first
    first, last = releases[0], releases[-1]

    history = client.get(f"/v1/facts/{modified}/history").get_json()["versions"]
    _, doc = _page(client, f"/facts/{modified}/releases/{first}")
    assert doc.xpath("//h1")[0].text_content() == history[0]["content"]["summary"]  # as it was
    notice = doc.xpath("//aside[@class='notice']")[0].text_content()
    assert history[1]["release"] in notice and "summary" in notice and history[1]["content"]["summary"] in notice
    assert doc.xpath("//aside[@class='notice']//a/@href")[0] == f"/facts/{modified}"
    _, doc = _page(client, f"/facts/{modified}/releases/{last}")  # current: no change since
    assert not doc.xpath("//aside[@class='notice']") and "Unchanged since" in doc.text_content()
    assert doc.xpath("//h1")[0].text_content() == client.get(f"/v1/facts/{modified}").get_json()["summary"]

    _, doc = _page(client, f"/facts/{removed}/releases/{first}")  # cited before it was removed
    assert "It is no longer served" in doc.text_content()
    gone = client.get(f"/facts/{removed}/releases/{last}")
    assert gone.status_code == 410 and "retracted by the source" in gone.get_data(as_text=True)
    _, doc = _page(client, f"/facts/{old}/releases/{first}")  # renamed since: the link goes to its new id
    assert f"/facts/{new}" in doc.xpath("//aside[@class='notice']//a/@href")
    assert client.get(f"/facts/{added}/releases/{first}").status_code == 404  # it did not exist yet
    assert client.get(f"/facts/{modified}/releases/no-such-release").status_code == 404

    # the fact page names the permalink of the release it serves
    _, doc = _page(client, f"/facts/{modified}")
    assert f"/facts/{modified}/releases/{last}" in " ".join(doc.xpath("//section[@aria-labelledby='cite']//a/@href"))
