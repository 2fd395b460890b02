"""Helpers shared by the tests, which import them from here (never from conftest.py or from
another test module; tests/ is on sys.path). Each section belongs to the tests named in its
header; add new helpers in a section of their own."""
import contextlib
import importlib
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import yaml

from bench.harness import (REPORT_LUA, Load, Outcome, Server, free_port, free_ports, get,  # noqa: F401
                           run_wrk)
from deploy.downloads import read_meta  # noqa: F401

# ---- The checkout, the seeds, the production server: every test ------------------------------
ROOT = Path(__file__).resolve().parent.parent
# The seeds every test runs on: the repository's seeds/, or the folder named by KB_TEST_SEEDS
# (tests/kb/test_new_article.py points it at a copy with one more article and runs the API tests).
SEEDS = Path(os.environ.get("KB_TEST_SEEDS") or ROOT / "seeds").resolve()
FIXTURES = ROOT / "tests" / "fixtures"  # small knowledge bases and articles the tests build
# Fictional articles laid out like seeds/ (tests/fixtures/*-article): `make test` runs every
# seed-reading test again on the seeds with all of them added (tests/README.md).
ARTICLES = sorted(path for path in FIXTURES.glob("*-article") if (path / "facts").is_dir())

# The entity types a list or reconciliation offers: the schema's, less "unnamed" (never listed).
ENTITY_TYPES = [t for t in json.loads((ROOT / "schema" / "entities.schema.json").read_text(encoding="utf-8"))
                ["properties"]["entities"]["items"]["properties"]["type"]["enum"] if t != "unnamed"]


def add_article(seeds, article):
    """Add the fixture ``article`` (a folder laid out like seeds/) to the folder ``seeds`` the way
    the README's "Adding an article" tells a curator to: its source and facts files are new
    files; each of its entities is appended to the seeds' entities file of the same name, unless
    an entity of that id is already there (then it is reused, as `kb entity find` would show)."""
    import shutil

    for sub in ("sources", "facts"):
        for path in sorted((article / sub).iterdir()):
            target = seeds / sub / path.name
            assert not target.exists(), f"{target} already exists"
            shutil.copyfile(path, target)
    known = {e["id"] for path in (seeds / "entities").glob("*.yaml")
             for e in yaml.safe_load(path.read_text(encoding="utf-8"))["entities"]}
    for path in sorted((article / "entities").glob("*.yaml")):
        items = path.read_text(encoding="utf-8").split("\nentities:\n", 1)[1]
        blocks = [b for b in re.split(r"(?m)^(?=  - id: )", items) if b.strip()]
        new = [b for b in blocks if re.match(r"  - id: (\S+)\n", b).group(1) not in known]
        target = seeds / "entities" / path.name
        body = target.read_text(encoding="utf-8") if target.exists() else "entities:\n"
        target.write_text(body + ("" if body.endswith("\n") else "\n") + "".join(new), encoding="utf-8")
    return seeds


def grown_seeds(target, articles=ARTICLES):
    """A copy of the seeds at ``target`` with every fixture article added, but those the seeds
    hold already (the run on grown seeds: ``KB_TEST_SEEDS``)."""
    import shutil

    shutil.copytree(SEEDS, target)
    for article in articles:
        if not any((target / "sources" / p.name).exists() for p in (article / "sources").iterdir()):
            add_article(target, article)
    return target


def dataset_version(db_path):
    """The ``dataset_version`` a built database records in its meta table."""
    return read_meta(db_path)["dataset_version"]


def all_pages(client, url):
    """Follow next_cursor to the end; return every item."""
    items, seen_cursors = [], set()
    while True:
        body = client.get(url).get_json()
        items += body["data"]
        if not body["next_cursor"]:
            return items
        assert body["next_cursor"] not in seen_cursors
        seen_cursors.add(body["next_cursor"])
        sep = "&" if "?" in url.split("cursor=")[0] else "?"
        url = url.split("&cursor=")[0].split("?cursor=")[0] + f"{sep}cursor={body['next_cursor']}"


# ---- Generated clients: tests/api/test_clients.py, tests/api/test_compat.py ---------------------------
# `make sdk` / `make sdk-ts` run into temporary folders, a generated Python package imported and
# driven operation by operation, and the walk through every operation of the /v1 contract that
# both the client of the current spec and the client of the frozen baseline spec must survive.

def make(*args, timeout=600):
    """Run ``make ARGS`` in the checkout; fail the test with its output if it fails."""
    run = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=timeout)
    assert run.returncode == 0, f"make {' '.join(args)} failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    return run


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def spec_operations(spec_path):
    """``{operationId: (path, first tag)}`` of every GET operation of an OpenAPI file."""
    spec = yaml.safe_load(Path(spec_path).read_text(encoding="utf-8"))
    return {op["operationId"]: (path, op["tags"][0]) for path, item in spec["paths"].items()
            for method, op in item.items() if method == "get"}


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def get_headers(url):
    """The headers of a GET of ``url`` (the body read and dropped)."""
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        return response.headers


@contextlib.contextmanager
def imported_package(folder, package):
    """``package`` imported from ``folder`` (fresh: earlier imports of that name are dropped)."""
    def forget():
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]

    forget()
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(folder))
        forget()


class Calls:
    """A generated package's operation modules, recording which operations a test called."""

    def __init__(self, sdk, base_url, operations):
        self.package = sdk.__name__
        self.operations = operations
        self.client = sdk.Client(base_url=base_url, raise_on_unexpected_status=True, timeout=10.0)
        self.models = importlib.import_module(f"{self.package}.models")
        self.types = importlib.import_module(f"{self.package}.types")
        self.called = set()

    def __call__(self, operation_id, **kwargs):
        _, tag = self.operations[operation_id]
        module = importlib.import_module(
            f"{self.package}.api.{snake(tag).replace('-', '_')}.{snake(operation_id)}")
        self.called.add(operation_id)
        response = module.sync_detailed(client=self.client, **kwargs)
        return response.status_code, response.parsed

    def ok(self, operation_id, model, **kwargs):
        status, parsed = self(operation_id, **kwargs)
        assert status == 200 and isinstance(parsed, getattr(self.models, model)), (operation_id, status, parsed)
        return parsed

    def every_page(self, operation_id, page_model, item_model, limit=7, **kwargs):
        """Follow ``next_cursor`` to the last page; every row, each exactly once."""
        items, cursors = [], set()
        cursor = self.types.UNSET
        while True:
            page = self.ok(operation_id, page_model, limit=limit, cursor=cursor, **kwargs)
            assert all(isinstance(item, getattr(self.models, item_model)) for item in page.data)
            items.extend(page.data)
            if page.next_cursor is None:
                break
            assert page.next_cursor not in cursors and len(page.data) == limit
            cursors.add(page.next_cursor)
            cursor = page.next_cursor
        assert len({item.id for item in items}) == len(items), f"{operation_id}: a row came twice"
        return items

    def problem(self, operation_id, status, **kwargs):
        got, parsed = self(operation_id, **kwargs)
        assert got == status and isinstance(parsed, self.models.Problem), (operation_id, got, parsed)
        assert parsed.status == status and parsed.type_.startswith("https://") and parsed.title and parsed.detail
        return parsed


TYPED = [("listMeetings", "getMeeting", "Meeting"), ("listTroopDeployments", "getTroopDeployment", "TroopDeployment"),
         ("listLeases", "getLease", "Lease"), ("listEvents", "getEvent", "Event"),
         ("listStatements", "getStatement", "Statement"), ("listPositions", "getPosition", "Position")]


def plain(value):
    """A vocabulary value as a string: v1.0 clients have Enum classes for them (closed enums),
    clients of v1.1 on plain strings (open vocabularies, CHANGELOG 1.1.0)."""
    return getattr(value, "value", value)


def call_every_v1_0_operation(call):
    """Every operation of the /v1.0 contract through a generated client (``Calls``), each answer
    parsed into the generated models and checked: lists to their end, items equal to their rows,
    errors as ``Problem``. A client of the current spec and one of the frozen v1.0 spec both run
    it; operations added to /v1 later are tested on top of it, not in it."""
    index = call.ok("getIndex", "Index")
    counts = index.counts.additional_properties
    assert call.ok("getHealth", "Health").status == "ok"
    assert call.ok("getReadiness", "Ready").dataset_version == index.dataset_version

    facts = call.every_page("listFacts", "FactList", "Fact", limit=10)
    assert len(facts) == counts["facts"]
    fact = call.ok("getFact", "Fact", fact_id=facts[0].id)
    assert fact.to_dict() == facts[0].to_dict()
    assert fact.citations[0].end > fact.citations[0].start

    by_type = {}
    for list_op, get_op, model in TYPED:
        items = call.every_page(list_op, f"{model}Page", model, limit=3)
        assert items, list_op
        by_type[model] = items
        assert call.ok(get_op, model, fact_id=items[0].id).to_dict() == items[0].to_dict()
        assert {plain(item.type_) for item in items} == {snake(model)}  # TroopDeployment -> troop_deployment
        other_type = next(f.id for f in facts if plain(f.type_) != snake(model))
        call.problem(get_op, 404, fact_id=other_type)  # a fact, but not of this type
    # every fact of the 1.0 types (types added later, as counts in 1.10, are called on top of it)
    assert sum(len(items) for items in by_type.values()) == sum(plain(f.type_) in {snake(m) for _, _, m in TYPED}
                                                                for f in facts)
    meeting = call.ok("getMeeting", "Meeting", fact_id="putin-assad-meeting-2024-07-24")
    assert meeting.participants == ["vladimir-putin", "bashar-al-assad"] and meeting.date == "2024-07-24"
    deployment = by_type["TroopDeployment"][0]
    assert isinstance(deployment.count, int) and plain(deployment.count_qualifier) in {"exact", "about", "at_least", "up_to"}

    entities = call.every_page("listEntities", "EntityPage", "Entity", limit=10)
    import seed_view  # here, not at the top: seed_view imports conftest, which imports this module
    unnamed = sum(e["type"] == "unnamed" for e in seed_view.entities().values())
    assert len(entities) + unnamed == counts["entities"]  # lists leave out type unnamed (the index counts them)
    entity = call.ok("getEntity", "Entity", entity_id="bashar-al-assad")
    timeline = call.every_page("listEntityFacts", "FactPage", "Fact", limit=5, entity_id=entity.id)
    assert len(timeline) == entity.fact_count

    sources = call.every_page("listSources", "SourcePage", "Source", limit=1)
    assert len(sources) == counts["sources"]
    source = call.ok("getSource", "SourceDetail", source_id=sources[0].id)
    quote = fact.citations[0]
    cited = call.ok("getSource", "SourceDetail", source_id=quote.source)
    assert cited.text[quote.start:quote.end].split() == quote.quote.split()
    supported = call.every_page("listSourceFacts", "SourceFactPage", "Fact", limit=10, source_id=source.id)
    assert len(supported) == source.fact_count

    hits = call.every_page("search", "SearchPage", "Hit", limit=4, q="ceasefire")
    assert hits and all("<mark>" in hit.snippet for hit in hits)

    # errors are the documented Problem model, whatever the status
    problem = call.problem("getEntity", 404, entity_id="no-such-entity")
    assert "no-such-entity" in problem.detail
    call.problem("getSource", 404, source_id="no-such-source")
    call.problem("getFact", 404, fact_id="no-such-fact")
    invalid = call.problem("listFacts", 400, limit=500)
    assert list(invalid.errors.additional_properties) == ["limit"]
    unknown = call.problem("listMeetings", 422, participant=["nobody-at-all"])
    assert unknown.errors.additional_properties["participant"] == ["unknown entity 'nobody-at-all'"]


# ---- Bad dataset files: tests/ops/test_dataset_swap.py, tests/ops/test_cluster.py ----------------------
# Each writes, at ``dest``, a damaged version of the good database ``good``: what an operator's
# mistake or a broken disk could put at KB_DB. ``BAD_FILES`` maps each to the reason
# factmodel.dataset_check rejects it for.

def truncated_copy(good, dest):
    data = Path(good).read_bytes()
    Path(dest).write_bytes(data[:len(data) // 2 + 1000])


def garbage_file(good, dest):
    Path(dest).write_bytes(os.urandom(Path(good).stat().st_size))


def garbled_page_copy(good, dest):
    """A valid header and the right size, but one b-tree page in the middle is random bytes."""
    import shutil
    import sqlite3

    shutil.copyfile(good, dest)
    conn = sqlite3.connect(f"file:{Path(good).resolve()}?mode=ro", uri=True)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        # a page of the facts table's b-tree, in the middle of the file
        pages = [row[0] for row in conn.execute("SELECT pageno FROM dbstat WHERE name = 'facts' ORDER BY pageno")] \
            if _has_dbstat(conn) else []
    finally:
        conn.close()
    size = Path(dest).stat().st_size
    page = pages[len(pages) // 2] if pages else size // page_size // 2
    with open(dest, "r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(os.urandom(page_size))


def _has_dbstat(conn):
    import sqlite3

    try:
        conn.execute("SELECT 1 FROM dbstat LIMIT 1").fetchall()
        return True
    except sqlite3.Error:
        return False


def wrong_schema_copy(good, dest, version="999"):
    import shutil
    import sqlite3

    shutil.copyfile(good, dest)
    conn = sqlite3.connect(dest)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    conn.commit()
    conn.close()


def no_search_index_copy(good, dest):
    import shutil
    import sqlite3

    shutil.copyfile(good, dest)
    conn = sqlite3.connect(dest)
    conn.execute("DROP TABLE search_fts")
    conn.commit()
    conn.close()


BAD_FILES = {"truncated": (truncated_copy, "size_mismatch"), "garbage": (garbage_file, "not_sqlite"),
             "garbled-page": (garbled_page_copy, "corrupt"), "wrong-schema": (wrong_schema_copy, "schema_version"),
             "no-search-index": (no_search_index_copy, "search_index")}


# ---- Scratch git repositories of the seeds: tests/kb/test_history.py, tests/api/test_releases.py ----
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z", "GIT_CONFIG_GLOBAL": os.devnull}


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def scratch_repo(tmp_path):
    """A git repository holding a copy of the seeds, one commit."""
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(SEEDS, repo / "seeds")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "seeds")
    return repo


def four_changes(repo):
    """Modify one fact, remove another, rename a third (former_ids), add a fourth; commit.
    Return their ids ``(modified, removed, (old, new), added)``."""
    docs = {path: yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in sorted((repo / "seeds" / "facts").glob("*.yaml"))}
    everything = json.dumps([doc["facts"] for doc in docs.values()])  # ids other facts point at, in any file

    def free(facts):  # the facts no other fact names
        return [f for f in facts if everything.count(f'"{f["id"]}"') == 1]

    path = max(docs, key=lambda p: len(free(docs[p]["facts"])))  # the file with the most of them (first on ties)
    doc = docs[path]
    facts = doc["facts"]
    modified, removed, renamed = free(facts)[:3]
    modified["summary"] += " (revised)"
    modified["citations"][0]["quote"] = modified["citations"][0]["quote"][:20]
    facts.remove(removed)
    old_id = renamed["id"]
    renamed["id"] = old_id + "-renamed"
    renamed["former_ids"] = [old_id]
    added = dict(modified, id=modified["id"] + "-new", summary="A new fact.")
    facts.append(added)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "four changes")
    return modified["id"], removed["id"], (old_id, renamed["id"]), added["id"]


# ---- A later article relating to older ones: tests/kb/test_curator_messages.py, tests/kb/test_validator_cascades.py
# A short FICTIONAL article (written for the tests only) whose facts point at facts of older files, the
# way a curator's third article relates to the first two: responds_to, a supersedes relation and an
# attribution citing a fact. Ids are read from the seeds, so it fits any valid seeds.
RELATED = "fictional-relay-2025-06-02"
RELATED_TEXT = ("FICTIONAL ARTICLE, WRITTEN FOR A TEST SUITE ONLY.\n"
                "Analysts said on Monday that the earlier reports still stand, citing those reports.\n")


def related_targets(seeds, rel):
    """The ids of the facts of ``rel`` (a facts file of ``seeds``) the related article points at: its last two."""
    ids = [fact["id"] for fact in yaml.safe_load((Path(seeds) / rel).read_text(encoding="utf-8"))["facts"]]
    return ids[-2:] if len(ids) > 1 else ids * 2


def add_related_article(seeds, older):
    """Add the related article to ``seeds``: one statement per facts file of ``older`` (paths relative
    to ``seeds``) answering its last fact (responds_to), superseding the one before it (relations) and
    citing the last one (attribution). Returns ``{rel: fact id of the statement}``."""
    seeds = Path(seeds)
    speaker = next(e["id"] for path in sorted((seeds / "entities").glob("*.yaml"))
                   for e in yaml.safe_load(path.read_text(encoding="utf-8"))["entities"])
    (seeds / "sources" / f"{RELATED}.txt").write_text(RELATED_TEXT, encoding="utf-8")
    (seeds / "sources" / f"{RELATED}.yaml").write_text(
        f'id: {RELATED}\ntitle: FICTIONAL TEST ARTICLE - earlier reports still stand\npublisher: Fictional Relay\n'
        f'published: "2025-06-02"\nurl: null\nlanguage: en\n'
        f'note: Fictional, written for the test suite only (tests/support.py); nothing in it happened.\n',
        encoding="utf-8")
    facts, made = [], {}
    for number, rel in enumerate(older, 1):
        earlier, last = related_targets(seeds, rel)
        fid = made[rel] = f"fictional-relay-earlier-reports-stand-{number}"
        facts.append(
            f"  - id: {fid}\n    type: statement\n"
            f"    summary: (Fictional) Analysts said the earlier reports still stand.\n"
            f'    date: "2025-06-02"\n    date_precision: day\n    status: reported\n'
            f"    speaker: {speaker}\n    kind: stance\n    text: the earlier reports still stand\n    about: []\n"
            f"    responds_to: {last}\n    relations:\n      - {{type: supersedes, fact: {earlier}}}\n"
            f"    citations:\n      - source: {RELATED}\n        quote: the earlier reports still stand\n"
            f"        attribution:\n          - {{relation: citing, fact: {last}}}\n"
            f"    note: Fictional. \"On Monday\" in an article of Monday 2025-06-02 is the day itself.\n")
    (seeds / "facts" / f"{RELATED}.yaml").write_text("facts:\n" + "\n".join(facts), encoding="utf-8")
    return made
