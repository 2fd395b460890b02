"""The fictional articles of ``tests/fixtures/*-article`` (``support.ARTICLES``), added to the
seeds as the README's "Adding an article" says (``support.grown_seeds``).

Each is FICTIONAL, written for the test suite only, and made to stress growth: later meetings
and troop counts than the seeds', facts that cite, relate to, revise and supersede facts of the
existing articles, a denial of earlier unnamed reports, a quote that begins with a quotation
mark, a source id that sorts first with two facts, and aliases shared with existing entities.

Here: they are marked fictional and quote their texts verbatim; their references into the seeds
still resolve (else the failure names the fixture line to update); the grown seeds validate
(strictly), build, and serve every fixture fact. `make test` also runs every seed-reading test on
them (``tests/kb/test_curate.py``, the README walk-through; tests/README.md).
"""
import sqlite3

import pytest
import yaml

import seed_view
from kb.build import build
from kb.cli import validate
from kb.quotes import squash
from support import ARTICLES, SEEDS, grown_seeds


def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def article_facts(article):
    return [fact for path in sorted((article / "facts").glob("*.yaml")) for fact in _load(path)["facts"]]


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """The seeds with every fixture article added (those already in them are not added twice)."""
    return grown_seeds(tmp_path_factory.mktemp("grown") / "seeds")


def test_there_are_at_least_two_fixture_articles():
    assert len(ARTICLES) >= 2, ARTICLES


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.name)
def test_the_fixture_is_marked_fictional_and_quotes_it_verbatim(article):
    texts = {}
    for meta_path in sorted((article / "sources").glob("*.yaml")):
        meta = _load(meta_path)
        text = meta_path.with_suffix(".txt").read_text(encoding="utf-8")
        assert text.startswith("FICTIONAL ARTICLE, WRITTEN FOR A TEST SUITE ONLY."), meta_path
        assert meta["id"] == meta_path.stem and "FICTIONAL" in meta["title"] and meta["note"].startswith("Fictional")
        texts[meta["id"]] = squash(text)
    for fact in article_facts(article):
        assert fact["id"].startswith("fictional-") and fact["note"].startswith("Fictional"), fact["id"]
        for citation in fact["citations"]:
            assert squash(citation["quote"]) in texts[citation["source"]], fact["id"]


def references(fact):
    """(field, fact id) of every other fact a fact names."""
    if fact.get("responds_to"):
        yield "responds_to", fact["responds_to"]
    for relation in fact.get("relations") or []:
        yield f"relation {relation['type']}", relation["fact"]
    for citation in fact["citations"]:
        for link in citation.get("attribution") or []:
            if link.get("fact"):
                yield f"attribution {link['relation']}", link["fact"]


def line_of(path, fact_id, target):
    """The line of ``path`` that names ``target`` inside the fact ``fact_id``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {fact_id}")
    return next(i for i in range(start, len(lines)) if target in lines[i]) + 1


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.name)
def test_references_into_the_seeds_still_resolve(article):
    """A fixture fact that names a fact of the seeds needs an id the seeds keep (a former id
    counts). A curator who removes or renames one without ``former_ids`` is told which fixture
    line to update; an article ADDED to the seeds never triggers this."""
    fixture_ids = {f["id"] for a in ARTICLES for f in article_facts(a)}
    kept = set(seed_view.facts()) | {old for f in seed_view.facts().values() for old in f.get("former_ids") or []}
    gone = []
    for path in sorted((article / "facts").glob("*.yaml")):
        for fact in _load(path)["facts"]:
            for field, target in references(fact):
                if target not in fixture_ids and target not in kept:
                    gone.append(f"{path}:{line_of(path, fact['id'], target)}: fact {fact['id']!r}: {field} names "
                                f"{target!r}, which {SEEDS} no longer has: update this line to the fact's new id")
    assert not gone, "\n".join(gone)


def test_the_fixture_articles_relate_to_the_seeds():
    """What they were written to stress is still there: references into the seeds of every kind."""
    fixture_ids = {f["id"] for a in ARTICLES for f in article_facts(a)}
    kinds = {field.split()[-1] for a in ARTICLES for f in article_facts(a) for field, target in references(f)
             if target not in fixture_ids}
    assert {"same_claim", "supersedes", "revises", "reported_by"} <= kinds, kinds


def test_the_grown_seeds_validate_strictly_and_build(grown, tmp_path):
    seeds, problems = validate(grown)
    assert [str(p) for p in problems] == []
    # strictly for every entity, and the fixture articles' own quotes raise no warning at all
    fixture_files = {p.name for a in ARTICLES for p in (a / "facts").glob("*.yaml")}
    warnings = [str(w) for w in seeds.warnings]
    assert [w for w in warnings if ": warning: entity " in w or any(f"/{name}:" in w for name in fixture_files)] == []
    wanted = {f["id"]: f for a in ARTICLES for f in article_facts(a)}
    assert set(wanted) <= set(seed_view.facts()) | {f["id"] for f in _all_facts(grown)}
    build(grown, tmp_path / "kb.sqlite", progress=False)
    conn = sqlite3.connect(tmp_path / "kb.sqlite")
    rows = dict(conn.execute(f"SELECT id, status FROM facts WHERE id IN ({','.join('?' * len(wanted))})",
                             list(wanted)).fetchall())
    conn.close()
    assert rows == {fid: fact["status"] for fid, fact in wanted.items()}


def _all_facts(seeds):
    return [fact for path in sorted((seeds / "facts").rglob("*.yaml")) for fact in _load(path)["facts"]]
