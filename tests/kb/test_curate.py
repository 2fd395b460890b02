"""The curator commands (kb/curate.py, issue #17 item 2) and README "Adding an article" walked
through end to end on a scratch copy of the seeds with the fictional article of
tests/fixtures/new-article (item 4): new source -> entities -> scaffold -> facts -> validate ->
build -> served through the app; then the other fixture articles are added and every
seed-reading test runs on the result (tests/README.md). No mocks: the real loader, the real
Flask app."""
import io
import json
import re
import shutil

import pytest
import seed_view
import yaml
from support import ROOT, SEEDS

from factmodel.vocabulary import FACT_TYPES, FACTS_SCHEMA
from kb import reldates
from kb.stubs import FACTS_HEADER, fact_stub
from kb.build import build
from kb.cli import main, validate
from kb.quotes import SourceText

from support import ARTICLES, FIXTURES, add_article  # noqa: E402

FIXTURE = FIXTURES / "new-article"
ARTICLE = "fictional-test-wire-2025-03-14"


def run(*argv):
    """``kb ARGV``: (exit status, stdout, stderr)."""
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(a) for a in argv])
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def seeds(tmp_path):
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


# -- relative dates (README "Fact conventions") --------------------------------------------------
def table(published):
    return {phrase.split(" (")[0]: value for phrase, value, _ in reldates.relative_dates(published)}


def test_relative_dates_follow_the_readme_conventions():
    t = table("2024-07-25")  # a Thursday, the Bloomberg article
    assert t["Wednesday"] == "2024-07-24"  # README: "Wednesday evening" ... is 2024-07-24
    assert t["last month"] == "2024-06"  # README: "last month" is 2024-06
    assert t["yesterday"] == "2024-07-24" and t["today, this morning, tonight"] == "2024-07-25"
    assert t["Thursday"] == "2024-07-25" and t["Monday"] == "2024-07-22" and t["Friday"] == "2024-07-19"
    assert t["this week"] == "2024-07-22..2024-07-28" and t["last week"] == "2024-07-15..2024-07-21"
    assert t["last year"] == "2023" and t["May last year"] == "2023-05"
    assert t["in January"] == "2024-01" and t["in July"] == "2024-07" and t["in August"] == "2023-08"
    assert t["next month"] == "2024-08"


def test_relative_dates_at_the_turn_of_a_year():
    t = table("2025-01-01")  # a Wednesday
    assert t["last month"] == "2024-12" and t["last week"] == "2024-12-23..2024-12-29"
    assert t["Tuesday"] == "2024-12-31" and t["in December"] == "2024-12" and t["in January"] == "2025-01"


def test_the_fixture_article_dates_match_its_facts():
    t = table("2025-03-14")  # a Friday; the fixture's notes: "Wednesday" = 2025-03-12, "in January" = 2025-01
    assert t["Wednesday"] == "2025-03-12" and t["in January"] == "2025-01" and t["July last year"] == "2024-07"


# -- kb quote --------------------------------------------------------------------------------
def test_quote_ignores_whitespace_and_kinds_of_quotation_marks_and_prints_yaml_that_reads_back(seeds):
    status, out, _ = run("quote", "--seeds", seeds, "new-arab-2020-04-28", '"The Kremlin needs to get rid of the\n  Syrian headache,"')
    assert status == 0
    line = next(l for l in out.splitlines() if "quote:" in l).strip()
    assert line.startswith("quote: '\"The Kremlin")  # begins with a quotation mark: single-quoted
    value = yaml.safe_load(line)["quote"]
    text = (seeds / "sources" / "new-arab-2020-04-28.txt").read_text(encoding="utf-8")
    assert SourceText(text).find(value) is not None
    start, end = map(int, re.search(r"offsets (\d+)\.\.(\d+)", out).groups())
    assert " ".join(text[start:end].split()) == value


def test_quote_with_straight_quotes_prints_the_texts_curly_ones(seeds):
    status, out, _ = run("quote", "--seeds", seeds, "bloomberg-2024-07-25", "The meeting follows Assad's reintegration")
    assert status == 0 and "quotation marks or dashes differ" in out and "Assad’s reintegration" in out


def test_quote_not_found_shows_the_nearest_passage(seeds):
    status, out, _ = run("quote", "--seeds", seeds, "bloomberg-2024-07-25", "Assad last met the Russian president in March 2023")
    assert status == 1 and "nearest passage" in out and "Assad last met the Russian leader in March 2023." in out
    status, _, err = run("quote", "--seeds", seeds, "bloomberg-2024-07-52", "x")
    assert status == 2 and "did you mean 'bloomberg-2024-07-25'" in err


# -- kb new-fact -----------------------------------------------------------------------------
@pytest.mark.parametrize("ftype", list(FACT_TYPES))
def test_new_fact_stub_has_every_field_of_the_type_and_is_yaml(ftype):
    stub = fact_stub(ftype, "some-source")
    item = yaml.safe_load("facts:\n" + stub)["facts"][0]
    spec = json.loads(FACTS_SCHEMA.read_text())["$defs"][ftype]
    assert list(item) == list(spec["properties"])
    assert item["type"] == ftype and item["citations"][0]["source"] == "some-source"


def test_a_field_added_to_the_schema_appears_in_the_stub():
    schema = json.loads(FACTS_SCHEMA.read_text())
    schema["$defs"]["meeting"]["properties"]["venue_kind"] = {"description": "What sort of venue", "enum": ["palace", "summit"]}
    stub = fact_stub("meeting", schema=schema)
    assert "    # venue_kind: What sort of venue; one of: palace, summit; optional" in stub
    assert yaml.safe_load("facts:\n" + stub)["facts"][0]["venue_kind"] == "palace"


def test_new_fact_unknown_type_suggests(seeds):
    status, _, err = run("new-fact", "meting")
    assert status == 2 and "did you mean 'meeting'" in err


# -- kb entity find ----------------------------------------------------------------------------
def test_entity_find_ignores_case_and_diacritics_and_warns_about_shared_aliases(seeds):
    status, out, _ = run("entity", "find", "--seeds", seeds, "RECEP TAYYIP ERDOGAN")
    assert status == 0 and out.startswith("recep-tayyip-erdogan")
    # a warning for each of its spellings that another entity of the seeds shares, and no other
    shared = {s: ids for s, ids in seed_view.spellings().items() if "recep-tayyip-erdogan" in ids and len(ids) > 1}
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert sorted(warnings) == sorted(f"warning: {s!r} is a name or alias of {len(ids)} entities: {', '.join(sorted(ids))}"
                                      for s, ids in shared.items())
    status, out, _ = run("entity", "find", "--seeds", seeds, "Recep Tayyip Erdoğan")
    assert out.startswith("recep-tayyip-erdogan")
    people = seeds / "entities" / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8") + "  - id: tayyip-other\n    type: person\n"
                      "    name: Another Tayyip\n    aliases: [Tayyip Erdogan]\n    description: A namesake.\n",
                      encoding="utf-8")
    status, out, _ = run("entity", "find", "--seeds", seeds, "tayyip erdogan")
    assert "warning: 'tayyip erdogan' is a name or alias of 2 entities: recep-tayyip-erdogan, tayyip-other" in out
    nobody = "Ilse Tørnquist-Vale"  # a name no entity has (checked), found by nothing
    assert seed_view.fold(nobody) not in seed_view.spellings()
    status, out, _ = run("entity", "find", "--seeds", seeds, nobody)
    assert status == 1 and "id suggestion: 'ilse-tornquist-vale'" in out


# -- kb show, kb coverage ----------------------------------------------------------------------
def test_show_prints_what_the_app_serves(seeds, tmp_path):
    status, out, _ = run("show", "--seeds", seeds, "putin-assad-meeting-2024-07-24")
    assert status == 0 and out.startswith("GET /v1/meetings/putin-assad-meeting-2024-07-24\n")
    shown = json.loads(out.split("\n", 1)[1])
    from api.app import create_app

    build(seeds, tmp_path / "kb.sqlite", progress=False)
    served = create_app({"KB_DB": str(tmp_path / "kb.sqlite"), "TESTING": True}).test_client() \
        .get("/v1/meetings/putin-assad-meeting-2024-07-24").get_json()
    assert shown == served
    status, out, _ = run("show", "--seeds", seeds, "no-such-fact")
    assert status == 1 and "404" in out


def test_coverage_marks_every_sentence_with_the_facts_citing_it(seeds):
    status, out, _ = run("coverage", "--seeds", seeds, "bloomberg-2024-07-25")
    assert status == 0
    assert "+ Assad last met the Russian leader in March 2023.\n    cited by: putin-assad-meeting-2023-03" in out
    facts = seeds / "facts" / "bloomberg-2024-07-25.yaml"
    text = facts.read_text(encoding="utf-8")
    block = re.search(r"  - id: putin-assad-meeting-2023-03\n(?:    .*\n|      .*\n)*", text).group()
    facts.write_text(text.replace(block, ""), encoding="utf-8")
    status, out, _ = run("coverage", "--seeds", seeds, "bloomberg-2024-07-25")
    assert "- Assad last met the Russian leader in March 2023." in out


# -- README "Adding an article", end to end ----------------------------------------------------------
def test_readme_walk_through_uses_these_commands():
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Adding an article")[1]
    for command in ("kb new-source", "kb entity find", "kb new-fact", "kb quote", "kb preview", "kb show",
                    "kb coverage", "make validate", "make db"):
        assert command in section, command


@pytest.mark.slow  # it runs every seed-reading test again (about two minutes), so not in that run itself
def test_adding_the_fixture_article_the_readme_way(seeds, tmp_path):
    article = tmp_path / "article.txt"
    shutil.copyfile(FIXTURE / "sources" / f"{ARTICLE}.txt", article)
    meta = yaml.safe_load((FIXTURE / "sources" / f"{ARTICLE}.yaml").read_text(encoding="utf-8"))

    # 1. new-source: text, metadata, empty facts file, the dates table
    status, out, err = run("new-source", "--seeds", seeds, article, "--publisher", meta["publisher"],
                           "--published", meta["published"], "--title", meta["title"],
                           *(["--republish"] if meta.get("republish") else []))
    assert status == 0, err
    assert "a Friday" in out and re.search(r"\* Wednesday .* 2025-03-12", out) and re.search(r"\* in January +2025-01", out)
    assert (seeds / "sources" / f"{ARTICLE}.txt").read_bytes() == article.read_bytes()
    written = yaml.safe_load((seeds / "sources" / f"{ARTICLE}.yaml").read_text(encoding="utf-8"))
    assert {k: written[k] for k in ("id", "title", "publisher", "published", "url", "language")} == \
        {k: meta[k] for k in ("id", "title", "publisher", "published", "url", "language")}
    assert written.get("republish", False) == meta.get("republish", False)
    facts_file = seeds / "facts" / f"{ARTICLE}.yaml"
    assert facts_file.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../../schema/facts.schema.json")
    assert validate(seeds)[1] == []  # a new source with no facts yet is valid
    status, _, err = run("new-source", "--seeds", seeds, article, "--publisher", meta["publisher"],
                         "--published", meta["published"])
    assert status == 2 and "already exists" in err

    # 2. entities: look up, then add the ones that are missing
    fixture_entities = {path.name: yaml.safe_load(path.read_text(encoding="utf-8"))["entities"]
                        for path in (FIXTURE / "entities").glob("*.yaml")}
    for name, items in fixture_entities.items():
        target = seeds / "entities" / name
        for item in items:
            status, out, _ = run("entity", "find", "--seeds", seeds, item["name"])
            if item["id"] in re.findall(r"(?m)^(\S+)  \(", out):
                continue  # already there: reuse it
            block = yaml.safe_dump([item], allow_unicode=True, sort_keys=False)
            target.write_text(target.read_text(encoding="utf-8") + "".join("  " + l + "\n" for l in block.splitlines()),
                              encoding="utf-8")
    status, out, _ = run("entity", "find", "--seeds", seeds, "Lena Sorvik")
    assert status == 0 and out.startswith("lena-sorvik")
    status, out, _ = run("entity", "find", "--seeds", seeds, "Moscow")  # the city; Russia is not called so (L13)
    found = re.findall(r"(?m)^(\S+)  \(", out)
    assert "moscow" in found and "russia" not in found

    # 3. a stub per fact type used, appended to the facts file; then the facts, quotes from kb quote
    wanted = yaml.safe_load((FIXTURE / "facts" / f"{ARTICLE}.yaml").read_text(encoding="utf-8"))["facts"]
    for ftype in dict.fromkeys(f["type"] for f in wanted):
        assert run("new-fact", ftype, "--source", ARTICLE, "--into", facts_file)[0] == 0
    stubs = yaml.safe_load(facts_file.read_text(encoding="utf-8"))["facts"]
    assert [s["type"] for s in stubs] == list(dict.fromkeys(f["type"] for f in wanted))
    problems = [str(p) for p in validate(seeds)[1]]
    assert problems and all(f"/facts/{ARTICLE}.yaml:" in p for p in problems)  # the stubs are unfinished
    filled = []
    for fact in wanted:
        stub = next(s for s in stubs if s["type"] == fact["type"])
        assert set(fact) <= set(stub), set(fact) - set(stub)  # the stub had a line for every field used
        for citation in fact["citations"]:
            status, out, _ = run("quote", "--seeds", seeds, citation["source"], citation["quote"])
            assert status == 0
            printed = yaml.safe_load(next(l for l in out.splitlines() if "quote:" in l).strip())["quote"]
            assert printed == " ".join(citation["quote"].split())
        filled.append(fact)
    facts_file.write_text(FACTS_HEADER + yaml.safe_dump({"facts": filled}, allow_unicode=True, sort_keys=False),
                          encoding="utf-8")

    # 4. validate, preview through the app, coverage
    assert [str(p) for p in validate(seeds)[1]] == []
    status, out, err = run("preview", "--seeds", seeds, facts_file)
    assert status == 0, out + err
    served = {m.group(1) for m in re.finditer(r"^GET /v1/[a-z-]+/(\S+)$", out, re.MULTILINE)}
    assert served == {f["id"] for f in wanted}
    status, out, _ = run("coverage", "--seeds", seeds, ARTICLE)
    assert "cited by: fictional-putin-assad-meeting-2025-03-12" in out
    assert "- FICTIONAL ARTICLE, WRITTEN FOR A TEST SUITE ONLY." in out  # the disclaimer is cited by nothing

    # 5. build, and the app serves the new facts
    from api.app import create_app

    db = tmp_path / "kb.sqlite"
    build(seeds, db, progress=False)
    client = create_app({"KB_DB": str(db), "TESTING": True}).test_client()
    for fact in wanted:
        body = client.get(f"/v1/facts/{fact['id']}").get_json()
        assert body["id"] == fact["id"] and body["citations"][0]["source"] == ARTICLE
    assert client.get(f"/v1/sources/{ARTICLE}").status_code == 200

    # 6. a second curator adds the other fixture articles; every seed-reading test passes on the result
    for article in ARTICLES:
        if article != FIXTURE:
            add_article(seeds, article)
    assert [str(p) for p in validate(seeds)[1]] == []
    tail = run_seed_tests(seeds)
    print(f"\nseed-reading tests on the seeds plus {len(ARTICLES)} fixture articles: {tail}")


def run_seed_tests(seeds):
    """``pytest -m "seeds and not slow"`` on ``seeds`` (``KB_TEST_SEEDS``): its closing line."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "KB_TEST_SEEDS": str(seeds)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-m", "seeds and not slow", "-q", "-p", "no:cacheprovider"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    last = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-3000:]
    assert " passed" in last and " failed" not in last and " skipped" not in last, last
    return last
