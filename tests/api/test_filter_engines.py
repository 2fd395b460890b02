"""Both engines of a fact list answer every filter alike (api/filters.py): the Tantivy index
(when it answers: ``q=`` and only the fields it declares in ``api.search.queries.INDEXED``)
and SQLite + FTS5.

Generated from the filter list, not from pinned data: the fact lists are ``/v1/facts``, an
entity's and a source's facts and the typed lists (``api.resources.TYPED``); their filters are
the query parameters the spec gives each (less paging, sorting and output), with values drawn
from the database (``api.filters.SAMPLES``; a typed list's role parameters and ``kind`` from its
resource). A filter added to a list is covered here without an edit.

Cases: each filter alone and in pairs (a case with a window, ``from``/``to``/``valid_at``, once
with the default ``time_match=certain`` and once with ``time_match=possible``) (on ``/v1/facts`` every pair; on the other lists the
list's own filters with each other and each with one common filter, chosen by rotation, so the
count stays modest), with and without ``q=``. Each case is run on the app with its stored index
and on the app without it (``INDEX_CACHE=off``), in both sort orders, every page walked
through the cursor: the same items in the same order, and ``-date`` the reverse of ``date``.
Each case uses the first sample values (and, with ``q=``, the first common word) that select a
non-empty proper subset of the list without them; when none does, the engines are still compared
on the first values there are, and the case is named with the reason (a ``NotNarrowing`` warning
in the summary), not skipped. ``test_every_filter_narrows_some_list`` then fails if a filter never narrowed anything
(a filter dropped from the SQL builder), and ``test_the_index_declares_what_it_builds`` if
``INDEXED`` and the index's query builder disagree.

Runs on the database built from ``support.SEEDS`` (seeds alone, or with the fixture articles).
"""
import collections
import itertools
import re
import sqlite3
import warnings
from dataclasses import fields
from urllib.parse import urlencode

import pytest
import yaml

from api.search import queries as search_queries
from api.app import create_app
from api.filters import SAMPLES, FactFilters
from api.resources import TYPED
from support import ROOT

SPEC = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
NOT_FILTERS = {"q", "sort", "limit", "cursor", "format", "flavour", "expand", "facet", "time_match"}
WINDOW = {"from", "to", "valid_at"}  # a case with one of them runs again with time_match=possible
PAGE = 4  # small pages: every list is walked through several cursors
CANDIDATES = 5  # sample values tried per filter
WORDS = 12  # common words tried as q=

# list path (as in the spec) -> (the typed resource module or None)
LISTS = {"/v1/facts": None, "/v1/entities/{entity_id}/facts": None, "/v1/sources/{source_id}/facts": None,
         **{f"/v1/{module.TYPE.path}": module for module in TYPED.values()}}
OWNERS = {"{entity_id}": "entity", "{source_id}": "source"}  # a path's owner: the commonest sample value


def filter_params(path):
    return [p["name"] for p in SPEC["paths"][path]["get"]["parameters"]
            if p["in"] == "query" and p["name"] not in NOT_FILTERS]


def own_params(path):
    """The filters of a list that ``/v1/facts`` does not take (a typed list's roles and kind)."""
    return [p for p in filter_params(path) if p not in filter_params("/v1/facts")]


def combinations():
    """``[(list path, (parameter, …))]``: every filter alone and the pairs described above."""
    found = []
    for path in LISTS:
        params = filter_params(path)
        if path == "/v1/facts":
            found += [(path, (p,)) for p in params] + [(path, pair) for pair in itertools.combinations(params, 2)]
        elif "{" in path:  # an owner's facts: the owner alone, and with each filter
            found += [(path, ())] + [(path, (p,)) for p in params]
        else:
            own, common = own_params(path), [p for p in params if p not in own_params(path)]
            found += [(path, (p,)) for p in own] + [(path, pair) for pair in itertools.combinations(own, 2)]
            found += [(path, (p, common[(n + len(path)) % len(common)])) for n, p in enumerate(own)]
    return found


class NotNarrowing(UserWarning):
    """A differential case whose filters narrow nothing in this dataset (compared all the same)."""


CASES = [(path, params, q) for path, params in combinations() for q in (False, True)]
CHANGED = set()  # filters that, alone and without q=, changed some list (narrowed or emptied it)
RUN = []  # the cases run
UNSAMPLED = set()  # filters the dataset has no value for (a build outside git has no release)
ANSWERED = collections.Counter()  # field of FactFilters -> pages the index answered with it set


@pytest.fixture(scope="module")
def engines(db_path, tmp_path_factory):
    """``(with the stored index, without it)``: two test clients on the same database."""
    cache = tmp_path_factory.mktemp("engines-index-cache")
    indexed = create_app({"KB_DB": str(db_path), "TESTING": True, "INDEX_CACHE": str(cache)}).test_client()
    plain = create_app({"KB_DB": str(db_path), "TESTING": True, "INDEX_CACHE": "off"}).test_client()
    return indexed, plain


@pytest.fixture(scope="module")
def data(db_path):
    """``sample(param, path) -> [value, …]``, ``owner(path) -> path``, and the common words (q=)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)

    def sample(param, path):
        module = LISTS.get(path)
        if module is not None and param in module.FILTERS:
            sql, args = SAMPLES["typed_role"], {"role": module.FILTERS[param], "type": module.TYPE.name}
        elif module is not None and param == "kind":
            sql, args = SAMPLES["kind"].format(table=module.TYPE.table), {}
        else:
            assert param in SAMPLES, f"filter {param!r} has no sample values: add them to api.filters.SAMPLES"
            sql, args = SAMPLES[param], {}
        return [row[0] for row in conn.execute(sql, args).fetchmany(CANDIDATES)]

    def owner(path):
        for placeholder, param in OWNERS.items():
            if placeholder in path:
                path = path.replace(placeholder, sample(param, "/v1/facts")[0])
        return path

    counts = collections.Counter(word for (summary,) in conn.execute("SELECT summary FROM facts")
                                 for word in set(re.findall(r"[a-z]{4,}", summary.lower())))
    total = conn.execute("SELECT count(*) FROM facts").fetchone()[0]
    words = [w for w, n in counts.most_common() if n < total][:WORDS]
    yield sample, owner, words
    conn.close()


def walk(client, path, params, sort):
    """Every item of the list, page by page through the cursor."""
    items, query = [], {**params, "sort": sort, "limit": PAGE}
    while True:
        response = client.get(f"{path}?{urlencode(query, doseq=True)}")
        assert response.status_code == 200, (path, query, response.get_json())
        body = response.get_json()
        items += body["data"]
        if not body["next_cursor"]:
            return items
        query["cursor"] = body["next_cursor"]


def ids(client, path, params):
    response = client.get(f"{path}?{urlencode({**params, 'limit': 100}, doseq=True)}")
    assert response.status_code == 200, (path, params, response.get_json())
    body = response.get_json()
    found = [item["id"] for item in body["data"]]
    return found if not body["next_cursor"] else [i["id"] for i in walk(client, path, params, "date")]


def narrows(client, path, params, base):
    """Whether ``params`` select a non-empty proper subset of the list without them (``base``)."""
    found = ids(client, path, params)
    assert set(found) <= set(base), (path, params)
    if len(params) == 1 and found != base:
        CHANGED.add(kind_of(path, *params))
    return 0 < len(found) < len(base)


def choose(client, path, names, q_words, sample, with_q):
    """The first ``{param: value}`` (with ``q`` when ``with_q``) that narrows the list, or None."""
    choices = [sample(name, path) for name in names]
    UNSAMPLED.update(kind_of(path, name) for name, values in zip(names, choices) if not values)
    for values in itertools.product(*choices):
        params = dict(zip(names, values))
        if not with_q:
            if narrows(client, path, params, ids(client, path, {})):
                return params
            continue
        for word in q_words:
            base = ids(client, path, {"q": word})
            if base and narrows(client, path, {**params, "q": word}, base):
                return {**params, "q": word}
    return None


@pytest.mark.parametrize("path, names, with_q", CASES,
                         ids=[f"{p}?{'&'.join(n) or '(owner)'}{'&q' if q else ''}" for p, n, q in CASES])
def test_the_engines_agree(engines, data, path, names, with_q, monkeypatch):
    indexed, plain = engines
    sample, owner, words = data
    RUN.append((path, names, with_q))
    url = owner(path)
    if names:
        params = choose(plain, url, names, words, sample, with_q)
        if params is None:  # still compared, on the first values there are; named, not skipped
            warnings.warn(NotNarrowing(f"{url}: no sample value of {', '.join(names)} "
                                       f"{'with a common q= ' if with_q else ''}selects a non-empty proper subset"))
            first = {name: values[0] for name in names if (values := sample(name, path))}
            params = {**first, **({"q": words[0]} if with_q and words else {})}
    else:  # the owner's facts against every fact
        params = next((p for p in ([{"q": w} for w in words] if with_q else [{}])
                       if 0 < len(ids(plain, url, p)) < len(ids(plain, "/v1/facts", p))), None)
        if params is None:
            warnings.warn(NotNarrowing(f"{url} {'with a common q= ' if with_q else ''}is no non-empty proper "
                                       "subset of /v1/facts"))
            params = {"q": words[0]} if with_q and words else {}
    fact_rows = search_queries.fact_rows

    def counted(db, index, filters, *args):
        rows = fact_rows(db, index, filters, *args)
        if rows is not None:
            ANSWERED.update(filters.set_fields())
        return rows

    monkeypatch.setattr(search_queries, "fact_rows", counted)
    certain = None
    for match in ("certain", "possible") if WINDOW & set(params) else ("certain",):
        answers = {}
        for sort in ("date", "-date"):
            query = {**params, "time_match": match}
            mine, theirs = walk(indexed, url, query, sort), walk(plain, url, query, sort)
            assert [f["id"] for f in mine] == [f["id"] for f in theirs], (url, query, sort)
            assert mine == theirs
            answers[sort] = [f["id"] for f in mine]
        assert answers["-date"] == answers["date"][::-1]
        if match == "possible":  # the certain answer is the possible one less the items marked possible
            assert certain == [f["id"] for f in walk(plain, url, query, "date") if f["time_match"] == "certain"]
        certain = answers["date"]


def kind_of(path, name):
    """The filter a parameter is: itself, or ``role`` for a typed list's role parameters (one
    filter of FactFilters; a small type may have no role its data can narrow)."""
    module = LISTS.get(path)
    return "role" if module is not None and name in module.FILTERS else name


def test_every_filter_narrows_some_list(engines, data):
    """A filter that, alone and without q=, leaves every list it is tried on as it was, for
    every sample value, is ignored by the SQL builder."""
    plain = engines[1]
    sample, owner, _ = data
    for path, names in combinations():
        if len(names) == 1 and kind_of(path, names[0]) not in CHANGED:
            choose(plain, owner(path), names, [], sample, False)
    every = {kind_of(path, name) for path, names in combinations() for name in names}
    missed = sorted(every - CHANGED - UNSAMPLED)
    assert not missed, f"these filters changed no list with any sample value: {missed}"
    if len(RUN) == len(CASES):  # and, when every case ran, the index answered each filter it declares
        assert set(search_queries.INDEXED) <= set(ANSWERED), set(search_queries.INDEXED) - set(ANSWERED)


def probe_values(field):
    """Values of each shape a field of FactFilters may hold, to find one the builder takes."""
    return [("x",), (("participant", "x"),), ("events", ("x",)), ("2000-01-01", "2000-12-31"), "2000-01-01", 1, True]


def test_the_index_declares_what_it_builds(engines):
    """``INDEXED`` names exactly the fields of :class:`FactFilters` the index's query builder
    turns into clauses: a field it builds but does not declare, or declares but ignores, fails."""
    app = engines[0].application
    with app.test_request_context():
        index = app.extensions["kb_db"].current().search_index()
        assert index is not None
        base = len(search_queries.index_clauses(index, FactFilters(text="assad")))
        built = {"text"}
        for field in fields(FactFilters):
            for value in probe_values(field.name):
                try:
                    clauses = search_queries.index_clauses(index, FactFilters(text="assad", **{field.name: value}))
                except (TypeError, ValueError, IndexError):
                    continue
                if len(clauses) > base:
                    built.add(field.name)
                    break
    assert built == set(search_queries.INDEXED)
