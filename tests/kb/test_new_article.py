"""Adding an article as the README says ("Adding an article") never breaks the tests.

``tests/fixtures/new-article/`` holds a short FICTIONAL article (written for this test only) laid
out like ``seeds/``: its text and metadata, new entities, and facts that include a later
Putin–Assad meeting (2025), a second US troop count in northeastern Syria, a new claim with its
denial, an event, positions and an undated statement. This test adds it to a scratch copy of the
seeds, validates and builds that with the real loader, and runs the API test files against it
(``KB_TEST_SEEDS``, read by conftest): they compute what they expect from the seeds they run on,
so they must pass as they do on the real seeds.
"""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest
import yaml

from kb.build import build
from kb.cli import validate
from kb.quotes import squash

from support import ROOT, SEEDS

from support import FIXTURES  # noqa: E402

FIXTURE = FIXTURES / "new-article"
ARTICLE = "fictional-test-wire-2025-03-14"
# The test files that exercise the API and the seeds (about 30 s together). Left out, because
# they take minutes or do not read the seeds: test_schemathesis (5,000+ fuzzed cases, minutes),
# test_swagger_ui (chromium; its ids are the spec's examples), test_cluster (nginx + replicas),
# test_load (wrk for a fixed time), test_clients' TypeScript check (types only), test_query_plans
# and test_bench_* (generated databases, not the seeds), and this file (it would run itself).
API_TESTS = ["api/test_api_queries.py", "api/test_audit_queries.py", "api/test_api_resources.py", "api/test_api_protocol.py",
             "api/test_api_provenance.py", "api/test_readme.py", "kb/test_seeds.py", "api/test_fast_json.py",
             "api/test_early_304.py", "api/test_hostile.py", "kb/test_bad_yaml.py", "kb/test_kb_fast_paths.py",
             "ops/test_reliability.py", "api/test_clients.py::test_generated_python_sdk_calls_every_operation"]


def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def add_article(seeds):
    """Add the fixture article to ``seeds`` the way the README tells a curator to: the source's
    .txt/.yaml and the facts file are new files; each new entity is appended to the seeds'
    entities file of the same name (one already there, by id, is left as it is)."""
    for sub in ("sources", "facts"):
        for path in (FIXTURE / sub).iterdir():
            target = seeds / sub / path.name
            assert not target.exists(), f"{target} already exists"
            shutil.copyfile(path, target)
    known = {e["id"] for path in (seeds / "entities").glob("*.yaml") for e in _load(path)["entities"]}
    for path in sorted((FIXTURE / "entities").glob("*.yaml")):
        items = path.read_text(encoding="utf-8").split("\nentities:\n", 1)[1]
        blocks = [b for b in re.split(r"(?m)^(?=  - id: )", items) if b.strip()]
        new = [b for b in blocks if re.match(r"  - id: (\S+)\n", b).group(1) not in known]
        target = seeds / "entities" / path.name
        body = target.read_text(encoding="utf-8") if target.exists() else "entities:\n"
        target.write_text(body + ("" if body.endswith("\n") else "\n") + "".join(new), encoding="utf-8")
    return seeds


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A copy of the seeds with the fictional article added."""
    seeds = tmp_path_factory.mktemp("new-article") / "seeds"
    shutil.copytree(SEEDS, seeds)
    return add_article(seeds)


def fixture_facts():
    return _load(FIXTURE / "facts" / f"{ARTICLE}.yaml")["facts"]


def test_the_fixture_is_marked_fictional_and_quotes_it_verbatim():
    text = (FIXTURE / "sources" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
    assert text.startswith("FICTIONAL ARTICLE, WRITTEN FOR A TEST SUITE ONLY.")
    meta = _load(FIXTURE / "sources" / f"{ARTICLE}.yaml")
    assert meta["id"] == ARTICLE and "FICTIONAL" in meta["title"] and meta["note"].startswith("Fictional")
    for fact in fixture_facts():
        assert fact["id"].startswith("fictional-") and fact["note"].startswith("Fictional"), fact["id"]
        for citation in fact["citations"]:
            assert citation["source"] == ARTICLE and squash(citation["quote"]) in squash(text), fact["id"]


def test_the_scratch_seeds_validate_and_build(scratch, tmp_path):
    seeds, problems = validate(scratch)
    assert [str(p) for p in problems] == []
    real, _ = validate(SEEDS)
    assert set(seeds.sources) == set(real.sources) | {ARTICLE}
    assert seeds.fact_count == real.fact_count + len(fixture_facts())
    build(scratch, tmp_path / "kb.sqlite", progress=False)
    conn = sqlite3.connect(tmp_path / "kb.sqlite")
    # what the article was written to add: the README's cookbook answers are no longer the only ones
    meetings = conn.execute(
        "SELECT f.id, f.date FROM facts f JOIN fact_entities a ON a.fact_id = f.id AND a.entity_id = 'vladimir-putin' "
        "JOIN fact_entities b ON b.fact_id = f.id AND b.entity_id = 'bashar-al-assad' "
        "WHERE f.type = 'meeting' AND f.status = 'stated' ORDER BY f.sort_date DESC").fetchall()
    assert meetings[0] == ("fictional-putin-assad-meeting-2025-03-12", "2025-03-12")
    assert ("putin-assad-meeting-2024-07-24", "2024-07-24") in meetings
    troops = conn.execute("SELECT fact_id, count FROM troop_deployments WHERE country = 'united-states' "
                          "AND location = 'northeastern-syria' ORDER BY sort_date").fetchall()
    assert troops == [("us-troops-northeastern-syria-2024", 900), ("fictional-us-troops-northeastern-syria-2025", 1500)]
    assert conn.execute("SELECT count(*) FROM facts WHERE status = 'denied'").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM statements WHERE kind = 'denial'").fetchone()[0] == 2
    conn.close()


def test_the_api_tests_pass_with_the_new_article(scratch):
    """The API test files, run as they are on the seeds with the article added, all pass."""
    env = {**os.environ, "KB_TEST_SEEDS": str(scratch)}
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "pytest", *(f"tests/{name}" for name in API_TESTS), "-q",
                          "-p", "no:cacheprovider"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    tail = (run.stdout[-6000:] + run.stderr[-3000:])
    assert run.returncode == 0, tail
    assert " passed" in run.stdout.splitlines()[-1] and " failed" not in run.stdout.splitlines()[-1], tail
    print(f"\nAPI tests on the seeds with the fictional article: {run.stdout.splitlines()[-1]} "
          f"({time.monotonic() - started:.1f} s)")
