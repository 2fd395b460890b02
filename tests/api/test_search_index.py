"""The Tantivy search index stored in the database file (kb/search_index.py, api/search/index.py,
api/search/queries.py): same answers as FTS5, AND + prefix + diacritic semantics, ranking, paging, swap and atomicity.

Every database here is built by the real loader from the real seeds (or a copy of them)."""
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import quote

import pytest

from api.app import create_app
from api.search import index as served
from api.search import queries as search_queries
from api.filters import from_args
from kb import search_index as written
from kb.build import BuildFailed, build
from factmodel import dataset_check, search_format, search_text
from support import all_pages

QUERIES = ["tartus", "assad", "ceasefire idlib", "erdogan", "ERDOĞAN", "russ", "lease port", "putin assad",
           "troops", "the", "a", "said", "iran", "hmeimim", "idl", "turkey syria", "zzzz", "2020", "reports", "unnamed"]


@pytest.fixture(scope="session")
def fts_client(db_path):
    """The same database searched the old way (FTS5 only)."""
    return create_app({"KB_DB": str(db_path), "TESTING": True, "INDEX_CACHE": "off"}).test_client()


@pytest.fixture(scope="session")
def index_client(db_path, tmp_path_factory):
    cache = tmp_path_factory.mktemp("index-cache")
    return create_app({"KB_DB": str(db_path), "TESTING": True, "INDEX_CACHE": str(cache)}).test_client()


def hits(client, url):
    return [(h.get("kind"), h["id"]) for h in all_pages(client, url)]


def test_the_database_carries_its_index(db_path):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    files = conn.execute(f"SELECT name, data FROM {written.FILES_TABLE} ORDER BY name").fetchall()
    conn.close()
    assert meta["search_index_format"] == written.FORMAT == served.FORMAT
    digest = hashlib.sha256(written.FORMAT.encode())
    for name, data in files:
        digest.update(f"\0{name}\0{len(data)}\0".encode())
        digest.update(data)
    assert meta["search_index"] == digest.hexdigest()
    assert "meta.json" in {name for name, _ in files}


def test_build_and_serve_sides_agree_on_the_contract():
    # one definition (factmodel.search_format, factmodel.search_text), read by both sides
    for side in (written, served):
        assert (side.FORMAT, side.ANALYZER, side.KINDS, side.FILES_TABLE, side.NAME_FIELDS, side.NAMES) == (
            search_format.FORMAT, search_text.ANALYZER, search_format.KINDS, search_format.FILES_TABLE,
            search_format.NAME_FIELDS, search_format.NAMES)
    text = "Recep Tayyip ERDOĞAN, Ömer Çelik; Hmeimim_air-base 2020 Straße Æsir Łódź دمشق"
    assert written.analyzer().analyze(text) == served.analyzer().analyze(text)
    assert served.words("Erdoğan ERDOGAN erdo") == ["erdogan", "erdo"]


def test_readme_search_examples(index_client):
    data = index_client.get("/v1/search?q=tartus&kind=entity&limit=100").get_json()["data"]
    port = next(h for h in data if h["id"] == "tartus-port")  # others may share the name (the city)
    assert port["link"] == "/v1/entities/tartus-port"
    assert {h["kind"] for h in data} == {"entity"}
    ids = [e["id"] for e in index_client.get("/v1/entities?q=erdogan").get_json()["data"]]
    assert "recep-tayyip-erdogan" in ids


@pytest.mark.parametrize("q", QUERIES)
def test_same_hits_as_fts5(q, index_client, fts_client):
    """Every word must match, each as a prefix, whatever the case or diacritics: the index finds
    exactly what FTS5 finds (the order may differ: the scores are not FTS5's)."""
    for kind in ("", "&kind=entity", "&kind=fact&kind=source"):
        url = f"/v1/search?q={q}{kind}&limit=100"
        assert sorted(hits(index_client, url)) == sorted(hits(fts_client, url)), url
    url = f"/v1/entities?q={q}&limit=100"
    assert hits(index_client, url) == hits(fts_client, url)


def test_and_prefix_and_diacritics(index_client):
    def ids(q, kind="entity"):
        return {h["id"] for h in index_client.get(f"/v1/search?q={q}&kind={kind}&limit=100").get_json()["data"]}

    erdogan = ids("erdogan")
    assert "recep-tayyip-erdogan" in erdogan
    assert ids("Erdoğan") == ids("ERDOGAN") == ids("erdo") == erdogan  # case, diacritics, prefix
    assert "tartus-port" in ids("tart")
    assert ids("tartus erdogan") == set()  # every word must match
    assert "recep-tayyip-erdogan" in ids("recep erdogan") <= ids("recep") & ids("erdogan")  # every word
    assert "recep-tayyip-erdogan" in ids("tayyip")
    # a word that is only a middle part of a word does not match
    assert "recep-tayyip-erdogan" not in ids("rdogan")


def test_snippets_mark_the_matches(index_client):
    hit = index_client.get("/v1/search?q=erdogan&kind=entity").get_json()["data"][0]
    assert re.search(r"<mark>Erdo[gğ]an</mark>", hit["snippet"]), hit
    for h in index_client.get("/v1/search?q=ceasefire+idlib&limit=50").get_json()["data"]:
        marked = re.findall(r"<mark>(.*?)</mark>", h["snippet"])
        assert marked, h
        assert all(served.words(m)[0].startswith(("ceasefire", "idlib")) for m in marked), h


def test_a_title_hit_outranks_a_body_hit(index_client, db_rows):
    """``tartus``: every hit with the word in its title (name, summary, source title) ranks
    above every hit that has it only in its body (aliases, statement text, quotes, source text)."""
    data = all_pages(index_client, "/v1/search?q=tartus&limit=100")
    in_title = [bool(re.search(r"(?i)\btartus", db_rows("SELECT title FROM search WHERE kind = ? AND ref_id = ?",
                                                         (h["kind"], h["id"]))[0][0])) for h in data]
    assert True in in_title and False in in_title
    assert in_title == sorted(in_title, reverse=True)
    scores = [h["score"] for h in data]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("q, limit", [("the", 7), ("assad", 3), ("a", 13), ("ceasefire", 1)])
def test_paging_through_every_hit(q, limit, index_client, db_path):
    """Pages concatenated equal one big page: no hit skipped or repeated; ties by id."""
    paged = all_pages(index_client, f"/v1/search?q={q}&limit={limit}")
    whole = all_pages(index_client, f"/v1/search?q={q}&limit=100")
    assert [(h["kind"], h["id"]) for h in paged] == [(h["kind"], h["id"]) for h in whole]
    assert len(set((h["kind"], h["id"]) for h in paged)) == len(paged) > limit
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    sid = {(k, r): i for i, k, r in conn.execute("SELECT id, kind, ref_id FROM search")}
    conn.close()
    keys = [(-h["score"], sid[(h["kind"], h["id"])]) for h in paged]
    assert keys == sorted(keys)


def test_an_index_of_many_segments_ranks_as_one_segment(monkeypatch, tmp_path, index_client, db_path):
    """Segments of a few documents each (the build's are SEGMENT_DOCS, 250,000): the same hits in
    the same order with the same scores as the one-segment index of the same seeds, each segment
    in id order, and the same bytes from two builds."""
    from support import SEEDS

    monkeypatch.setattr(written, "SEGMENT_DOCS", 7)
    paths = [tmp_path / "a" / "kb.sqlite", tmp_path / "b" / "kb.sqlite"]
    for path in paths:
        build(SEEDS, path, progress=False)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    conn = sqlite3.connect(f"file:{paths[0]}?mode=ro", uri=True)
    count = conn.execute("SELECT count(*) FROM search").fetchone()[0]
    segments = {name.split(".")[0] for (name,) in conn.execute(f"SELECT name FROM {written.FILES_TABLE}")} - {
        "meta", ""}
    conn.close()
    assert len(segments) == -(-count // 7) > 10
    client = create_app({"KB_DB": str(paths[0]), "TESTING": True,
                         "INDEX_CACHE": str(tmp_path / "cache")}).test_client()
    for q in QUERIES:
        for kind in ("", "&kind=entity", "&kind=fact&kind=source"):
            url = f"/v1/search?q={q}{kind}&limit=100"
            many, one = all_pages(client, url), all_pages(index_client, url)
            assert [(h.get("kind"), h["id"]) for h in many] == [(h.get("kind"), h["id"]) for h in one], url
            # scores are sums of floats in another order: equal to a millionth, not to the last bit
            assert [h["score"] for h in many] == pytest.approx([h["score"] for h in one], rel=1e-6), url


def test_cursor_is_signed_and_scoped(index_client):
    body = index_client.get("/v1/search?q=assad&limit=2").get_json()
    cursor = body["next_cursor"]
    assert index_client.get(f"/v1/search?q=assad&limit=2&cursor={cursor}").status_code == 200
    forged = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert index_client.get(f"/v1/search?q=assad&limit=2&cursor={forged}").status_code == 422  # unusable cursor (api/http/pagination.py)
    other = index_client.get("/v1/entities?limit=1").get_json()["next_cursor"]
    assert index_client.get(f"/v1/search?q=assad&cursor={other}").status_code == 422


def test_wordless_q_is_still_a_problem(index_client):
    for url in ("/v1/search?q=%2A", "/v1/entities?q=%2A", "/v1/facts?q=%2A%2A"):
        response = index_client.get(url)
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
        assert response.get_json()["errors"] == {"q": ["must contain at least one letter or digit"]}


def rename_entity(seeds, old, new):
    path = seeds / "entities" / "places.yaml"
    if not path.exists():
        path = next(p for p in (seeds / "entities").glob("*.yaml") if "tartus-port" in p.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_live_swap_switches_database_and_index_together(seeds_copy, tmp_path):
    served_db = tmp_path / "kb.sqlite"
    build(seeds_copy, served_db, progress=False)
    cache = tmp_path / "cache"
    app = create_app({"KB_DB": str(served_db), "TESTING": True, "INDEX_CACHE": str(cache)})
    client = app.test_client()

    def found(q):
        return [h["id"] for h in client.get(f"/v1/search?q={q}&kind=entity").get_json()["data"]]

    def version():
        return client.get("/v1").get_json()["dataset_version"]

    assert "tartus-port" in found("tartus") and found("zanzibarix") == []
    before = version()
    rename_entity(seeds_copy, "name: Port of Tartus", "name: Port of Zanzibarix")
    build(seeds_copy, served_db, progress=False)  # a new file at the same path
    # the very next request reads the new database, and searches that database's own index
    assert found("zanzibarix") == ["tartus-port"]
    assert version() != before
    digests = {p.name for p in cache.iterdir() if not p.name.startswith(".")}
    assert len(digests) == 2  # the old index stays for requests still on the old file
    conn = sqlite3.connect(f"file:{served_db}?mode=ro", uri=True)
    assert conn.execute("SELECT value FROM meta WHERE key = 'search_index'").fetchone()[0] in digests
    conn.close()


def test_a_failed_build_leaves_database_and_index_untouched(seeds_copy, tmp_path):
    served_db = tmp_path / "kb.sqlite"
    build(seeds_copy, served_db, progress=False)
    before = hashlib.sha256(served_db.read_bytes()).hexdigest()
    client = create_app({"KB_DB": str(served_db), "TESTING": True, "INDEX_CACHE": str(tmp_path / "c")}).test_client()
    answer = client.get("/v1/search?q=tartus").get_json()
    rename_entity(seeds_copy, "name: Port of Tartus", "name: Port of Zanzibarix")
    bad = seeds_copy / "facts" / "zz-broken.yaml"
    bad.write_text("facts:\n  - id: broken\n    type: meeting\n", encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(seeds_copy, served_db, progress=False)
    assert hashlib.sha256(served_db.read_bytes()).hexdigest() == before
    assert client.get("/v1/search?q=tartus").get_json() == answer
    assert client.get("/v1/search?q=zanzibarix").get_json()["data"] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "c", "kb.sqlite", "kb.sqlite.downloads", "kb.sqlite.manifest.json", "seeds"]
    assert not list(Path(tempfile.gettempdir()).glob(f"{written.SCRATCH_PREFIX}{os.getpid()}-*"))


def test_a_killed_build_leaves_no_scratch_index_behind(seeds_copy, tmp_path):
    """The scratch index directory of a build that was killed is removed by the next build."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # a process id that is gone
    stale = Path(tempfile.mkdtemp(prefix=f"{written.SCRATCH_PREFIX}{proc.pid}-"))
    (stale / "meta.json").write_text("{}")
    build(seeds_copy, tmp_path / "kb.sqlite", progress=False)
    assert not stale.exists()


def test_a_database_without_index_is_searched_with_fts5(db_path, tmp_path, fts_client):
    """An index that does not match its digest is not used: FTS5 answers instead."""
    copy = tmp_path / "kb.sqlite"
    copy.write_bytes(db_path.read_bytes())
    conn = sqlite3.connect(copy)
    conn.execute(f"UPDATE {written.FILES_TABLE} SET data = substr(data, 2) WHERE name = 'meta.json'")
    conn.commit()
    conn.close()
    client = create_app({"KB_DB": str(copy), "TESTING": True, "INDEX_CACHE": str(tmp_path / "c")}).test_client()
    url = "/v1/search?q=tartus&limit=100"
    assert client.get(url).get_json()["data"] == fts_client.get(url).get_json()["data"]
    assert [p for p in (tmp_path / "c").iterdir() if not p.name.startswith(".")] == []


def test_the_index_is_unpacked_once_and_read_only(db_path, tmp_path):
    cache = tmp_path / "cache"
    for _ in range(2):
        client = create_app({"KB_DB": str(db_path), "TESTING": True, "INDEX_CACHE": str(cache)}).test_client()
        assert client.get("/v1/search?q=assad").status_code == 200
    entries = list(cache.iterdir())
    assert len(entries) == 1 and len(entries[0].name) == 64
    stored = dict(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True).execute(
        f"SELECT name, data FROM {written.FILES_TABLE}").fetchall())
    for name, data in stored.items():
        assert (entries[0] / name).read_bytes() == data  # opening and searching changed nothing


FACT_LISTS = ["/v1/facts?q={q}", "/v1/facts?q={q}&sort=-date", "/v1/facts?q={q}&type=statement&type=event",
              "/v1/facts?q={q}&status=stated", "/v1/statements?q={q}", "/v1/meetings?q={q}&sort=-date",
              "/v1/facts?q={q}&from=2020", "/v1/facts?q={q}&to=2019-06&sort=-date", "/v1/facts?q={q}&as_of=2021",
              "/v1/facts?q={q}&from=2015&to=2024-07-25&status=stated&status=reported",
              "/v1/entities/bashar-al-assad/facts?q={q}", "/v1/facts?q={q}&entity=vladimir-putin&entity=bashar-al-assad",
              "/v1/sources/bloomberg-2024-07-25/facts?q={q}", "/v1/facts?q={q}&source=bloomberg-2024-07-25",
              "/v1/events?q={q}&kind=ceasefire", "/v1/statements?q={q}&kind=denial&kind=claim",
              "/v1/meetings?q={q}&participant=vladimir-putin", "/v1/troop-deployments?q={q}&country=russia",
              # spans: from/to overlap [span_start, span_end] (the index's span fields)
              "/v1/facts?q={q}&from=2019-03&to=2019-03", "/v1/facts?q={q}&to=2015", "/v1/facts?q={q}&from=2024-07-26",
              # answered by SQLite + FTS5 (the index has no field for them)
              "/v1/facts?q={q}&valid_at=2020", "/v1/facts?q={q}&attributed_to=bashar-al-assad",
              "/v1/facts?q={q}&relation=responds_to", "/v1/facts?q={q}&valid_at=2021&from=2020&sort=-date"]


@pytest.mark.parametrize("q", ["assad", "ceasefire idlib", "erdogan", "russ", "the", "a", "troops", "zzzz"])
@pytest.mark.parametrize("url", FACT_LISTS)
def test_fact_lists_with_q_are_the_same_with_the_index(url, q, index_client, fts_client):
    """The list order (date, then id), every page and every cursor as with FTS5."""
    for limit in (100, 3):
        page_url = url.format(q=q) + f"&limit={limit}"
        mine = all_pages(index_client, page_url)
        theirs = all_pages(fts_client, page_url)
        assert [f["id"] for f in mine] == [f["id"] for f in theirs], page_url
    assert mine == theirs


def test_a_fact_list_cursor_works_across_the_two_paths(index_client, fts_client):
    """The cursor of a fact list is the same keyset ``[sort_date, id]`` on both paths."""
    first = index_client.get("/v1/facts?q=assad&limit=2").get_json()
    url = f"/v1/facts?q=assad&limit=2&cursor={first['next_cursor']}"
    assert index_client.get(url).get_json() == fts_client.get(url).get_json()


def test_which_fact_lists_the_index_answers(index_client):
    """Every filter the index declares (INDEXED) is answered from the index; a cursor of a fact
    this dataset does not have (another dataset's) goes to SQLite, and so does any other filter."""
    app = index_client.application
    with app.test_request_context():
        db = app.extensions["kb_db"].current()
        index = db.search_index()
        assert index is not None
        base = {"q": "assad", "sort": "date", "limit": 20}
        rows = search_queries.fact_rows(db, index, from_args({**base, "status": ["stated"]}, types=["statement"]),
                                        False, None, 5)
        assert rows and all(r["type"] == "statement" and r["status"] == "stated" for r in rows)
        rows = search_queries.fact_rows(db, index, from_args({**base, "from_": "2020", "time_match": "possible"},
                                                             entity="bashar-al-assad"), False, None, 50)
        assert rows and all("bashar-al-assad" in r["entities"] for r in rows)
        # a window matched for certain (the default) is SQLite's: the index has no certainty fields
        assert search_queries.fact_rows(db, index, from_args({**base, "from_": "2020"}), False, None, 5) is None
        assert search_queries.fact_rows(db, index, from_args(base), False, ["2020-01-01", "no-such-fact"], 5) is None
        # filters the index has no field for: SQLite + FTS5 answer
        for name, value in (("valid_at", "2020"), ("attributed_to", "bashar-al-assad"),
                            ("related_to", "x"), ("relation", "responds_to")):
            assert search_queries.fact_rows(db, index, from_args({**base, name: value}), False, None, 5) is None
        assert search_queries.fact_rows(db, index, from_args(base, changed_since=1), False, None, 5) is None


def test_unnamed_entities_are_no_search_hit(index_client, fts_client, db_rows):
    """As with FTS5: an unnamed entity is found by /v1/entities?type=unnamed&q= only."""
    unnamed = db_rows("SELECT id, name FROM entities WHERE type = 'unnamed'")
    for eid, name in unnamed:  # every unnamed entity of the seeds (today: unnamed-reports)
        q = " ".join(re.findall(r"\w+", name)[:3])
        hits_ = all_pages(index_client, f"/v1/search?q={q}&limit=100")
        assert ("entity", eid) not in {(h["kind"], h["id"]) for h in hits_}
        # the same hits as FTS5 (scores differ: BM25 of another engine)
        assert {(h["kind"], h["id"]) for h in hits_} == {
            (h["kind"], h["id"]) for h in all_pages(fts_client, f"/v1/search?q={q}&limit=100")}
        for client in (index_client, fts_client):
            assert eid in {e["id"] for e in all_pages(client, f"/v1/entities?type=unnamed&q={q}&limit=100")}


def test_every_entity_is_found_by_its_names_as_with_fts5(index_client, fts_client, db_rows):
    """/v1/entities?q= reads the entities' own name fields (NAME_FIELDS): for each entity of the
    seeds, its name and each alias find it, and the whole answer is FTS5's."""
    for eid, etype, name, aliases in db_rows("SELECT id, type, name, aliases FROM entities"):
        for text in [name, *json.loads(aliases)]:
            q = quote(" ".join(re.findall(r"\w+", text)[:4]))
            if not q:
                continue
            url = f"/v1/entities?q={q}&limit=100" + ("&type=unnamed" if etype == "unnamed" else "")
            found = [e["id"] for e in all_pages(index_client, url)]
            assert eid in found, (url, found)
            assert found == [e["id"] for e in all_pages(fts_client, url)], url


def test_prefixes_through_the_compiled_query_and_any_result_size(monkeypatch, db_path, tmp_path):
    """A word with more completions than EXPANSION matches the rest through one compiled prefix
    query (kept per index, at most PREFIX_CACHE); all_ids gives every match whether or not they fit
    its first search. Forced here on the seeds (EXPANSION 0, PREFIX_CACHE 2, expected 1): the same
    sets as the listed completions give."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    names = [name for (name,) in conn.execute("SELECT name FROM entities")]
    listed, compiled = served.open_index(conn, meta, tmp_path), served.open_index(conn, meta, tmp_path)

    def sets(index, **kwargs):
        out = []
        for q in QUERIES + names:
            for how in ({"names": True}, {"kinds": search_format.SEARCH_KINDS}):
                query = index.query(served.words(q), **how)
                out.append(sorted(index.all_ids(query, **kwargs)) if query is not None else None)
        return out

    expected = sets(listed)
    assert sum(len(found) > 1 for found in expected if found) > 10  # many results of more than one
    monkeypatch.setattr(served, "EXPANSION", 0)
    monkeypatch.setattr(served, "PREFIX_CACHE", 2)
    assert sets(compiled) == expected
    assert sets(compiled, expected=1) == expected  # two searches each
    assert 0 < len(compiled._prefixes) <= 2


def test_the_dataset_check_wants_a_named_complete_index(db_path, tmp_path):
    """A file whose Tantivy index is named but missing, or stored without meta.json, is rejected
    (SEARCH_INDEX_CHECKS); a file without any (an older build) is accepted."""
    assert dataset_check.tantivy_search_index in dataset_check.SEARCH_INDEX_CHECKS
    dataset_check.check(db_path)
    for name, change in (("no-table", f"DROP TABLE {written.FILES_TABLE}"),
                         ("no-meta-json", f"DELETE FROM {written.FILES_TABLE} WHERE name = 'meta.json'"),
                         ("none", f"DROP TABLE {written.FILES_TABLE}; DELETE FROM meta WHERE key LIKE 'search_index%'")):
        copy = tmp_path / f"{name}.sqlite"
        copy.write_bytes(db_path.read_bytes())
        conn = sqlite3.connect(copy)
        conn.executescript(change + "; VACUUM;")
        conn.close()
        if name == "none":
            dataset_check.check(copy)
        else:
            with pytest.raises(dataset_check.Rejected) as caught:
                dataset_check.check(copy)
            assert caught.value.reason == "search_index"


def test_turkish_dotted_capital_i_and_other_letters_fold(index_client):
    """``İ`` folds to ``i`` (lowercasing it first would give ``i̇``); ``ł``, ``ø``, ``ı`` fold too."""
    assert served.words("İdlib KALIN Łódź Ørsted") == ["idlib", "kalin", "lodz", "orsted"]

    def found(q):
        return {(h["kind"], h["id"]) for h in all_pages(index_client, f"/v1/search?q={q}&limit=100")}

    assert found("İdlib") == found("idlib") == found("IDLIB") and found("idlib")


def fts_fold(text):
    """Words of ``text`` as FTS5's ``unicode61 remove_diacritics 2`` cuts and folds them (near enough)."""
    return ["".join(c for c in unicodedata.normalize("NFD", w) if not unicodedata.combining(c)).lower()
            for w in re.findall(r"[^\W_]+", text)]


def name_words(db_rows):
    """``{word: {fact id: [entity ids]}}``: each word (folded, as the index cuts it) of the name or an
    alias of a named entity, and every fact involving such an entity (the entities, in the fact's
    order); each fact's own folded words (summary, statement text, quotes); each named entity's
    words; each fact's named entities, in its order."""
    fold = written.analyzer().analyze
    named = {eid: list(dict.fromkeys(fold(" ".join([name, *json.loads(aliases)])))) for eid, name, aliases in db_rows(
        "SELECT id, name, aliases FROM entities WHERE type != 'unnamed'")}
    own, involved = {}, {}
    for fid, title, body, refs in db_rows("SELECT s.ref_id, s.title, s.body, f.entities FROM search s "
                                          "JOIN facts f ON f.id = s.ref_id WHERE s.kind = 'fact'"):
        own[fid] = set(fold(f"{title} {body}"))
        involved[fid] = [eid for eid in dict.fromkeys(ref["id"] for ref in json.loads(refs)) if eid in named]
    found = {}
    for fid, eids in involved.items():
        for eid in eids:
            for word in named[eid]:
                found.setdefault(word, {}).setdefault(fid, [])
                if eid not in found[word][fid]:
                    found[word][fid].append(eid)
    return found, own, named, involved


def test_facts_are_found_through_the_names_of_their_entities(index_client, fts_client, db_rows):
    """Every word of an entity's name or aliases finds, with ``q=`` on /v1/facts and on /v1/search,
    every fact involving that entity, through the index and through FTS5 alike. A search hit
    names in ``matched_entities`` the entities (in the fact's order) whose names hold the word when
    the fact's own text does not, else none; such a fact scores 0, after every hit found in its own
    text. ``q=Tartous`` finds the port's lease: "Tartous port" is an alias of the port, not a word
    of the lease."""
    found, own, named, involved = name_words(db_rows)
    # FTS5 folds fewer letters (unicode61 remove_diacritics 2: no ø, ł, ı, ß): where it finds a word
    # in a fact's own text, and so ranks, by its own folding
    fts_own = {fid: set(fts_fold(title + " " + body)) for fid, title, body in db_rows(
        "SELECT ref_id, title, body FROM search WHERE kind = 'fact'")}
    both = 0  # queries whose hits are found both ways
    for word, facts in found.items():
        for client, words_of in ((index_client, own), (fts_client, fts_own)):
            listed = {f["id"] for f in all_pages(client, f"/v1/facts?q={quote(word)}&limit=100")}
            assert set(facts) <= listed, (word, set(facts) - listed)
            hits_ = all_pages(client, f"/v1/search?q={quote(word)}&kind=fact&limit=100")
            assert {h["id"] for h in hits_} == listed, word
            for h in hits_:  # the analyzer's folding, whichever engine found it
                expected = [eid for eid in involved[h["id"]] if any(w.startswith(word) for w in named[eid])] \
                    if not any(w.startswith(word) for w in own[h["id"]]) else []
                assert h["matched_entities"] == expected, (word, h)
            # found through names alone: score 0, after every hit found in the fact's own text
            through = [h for h in hits_ if not any(w.startswith(fts_fold(word)[0]) for w in words_of[h["id"]])]
            assert all(h["score"] == 0 for h in through), word
            assert all(h["score"] >= 0 for h in hits_), word  # FTS5: ~1e-6 for a word of most rows (rounded: 0)
            assert all(h["score"] > 0 for h in hits_ if h not in through) or client is fts_client, word
            assert hits_ == [h for h in hits_ if h not in through] + through, word
            both += bool(through) and len(through) < len(hits_)
    assert both  # the seeds have a word found both ways
    lease = "russia-tartus-port-lease"
    for client in (index_client, fts_client):
        assert lease in {f["id"] for f in all_pages(client, "/v1/facts?q=Tartous&limit=100")}
        hit = next(h for h in all_pages(client, "/v1/search?q=Tartous&limit=100") if h["id"] == lease)
        assert hit["matched_entities"] == ["tartus-port"] and hit["score"] == 0
        assert {h["id"] for h in all_pages(client, "/v1/search?q=Tartus&kind=fact&limit=100")
                if h["id"] == lease and not h["matched_entities"]} == {lease}  # its own text says Tartus


def test_names_add_to_what_a_query_finds_not_to_its_scores(index_client):
    """A word found in a fact's own text scores as before; one found only in its entities' names
    scores nothing: a fact found through names for one word of two ranks by the other word alone."""
    data = all_pages(index_client, "/v1/search?q=tartous+lease&limit=100")
    lease = next(h for h in data if h["id"] == "russia-tartus-port-lease")
    alone = next(h for h in all_pages(index_client, "/v1/search?q=lease&kind=fact&limit=100") if h["id"] == lease["id"])
    assert lease["matched_entities"] == ["tartus-port"]
    assert alone["score"] > 0 and lease["score"] == pytest.approx(alone["score"], rel=1e-6)
