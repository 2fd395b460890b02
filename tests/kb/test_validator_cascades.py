"""The validator never cascades (issue #17, item 2): a file that fails to parse is the one problem
reported about it. The ids it declares are recovered from its text, so what refers to them is not
reported; a reference that still cannot be checked (its id's own line is what broke) is reported
once, after the parse error, as "not checked", never as an unknown fact with a "did you mean".

The scenario is a curator's: a later article (tests/support.py, fictional) whose facts relate to
facts of the older files (responds_to, a supersedes relation, an attribution citing a fact), then
one line of an older file broken. Ids are read from the seeds, so this holds for any valid seeds.
"""
import pytest
import yaml
from support import RELATED, add_related_article, related_targets

from kb.cli import main, validate

B = "facts/bloomberg-2024-07-25.yaml"
N = "facts/new-arab-2020-04-28.yaml"


@pytest.fixture
def seeds(seeds_copy):
    return seeds_copy


def problems_of(seeds):
    """The problems, as printed, with the scratch folder's path cut to ``seeds/``."""
    return [str(p).replace(str(seeds), "seeds") for p in validate(seeds)[1]]


def edit(seeds, rel, old, new):
    path = seeds / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_related_article_validates(seeds):
    add_related_article(seeds, [B, N])
    assert problems_of(seeds) == []


@pytest.mark.parametrize("rel", [B, N])
def test_a_broken_line_of_an_older_file_is_the_one_problem(seeds, rel):
    """A line that is not an id line: every id of the file is recovered, so the related
    article's references into it are not reported at all."""
    add_related_article(seeds, [B, N])
    earlier, _ = related_targets(seeds, rel)
    text = (seeds / rel).read_text(encoding="utf-8")
    block = text.split(f"  - id: {earlier}\n", 1)[1]
    summary = next(line for line in block.splitlines() if line.startswith("    summary: "))
    edit(seeds, rel, summary + "\n", summary.replace("summary: ", "summary: [", 1) + "\n")
    found = problems_of(seeds)
    assert len(found) == 1, "\n".join(found)
    assert found[0].startswith(f"seeds/{rel}:") and "YAML syntax error" in found[0]


@pytest.mark.parametrize("rel", [B, N])
@pytest.mark.parametrize("broken", ["last", "earlier"])
def test_a_reference_to_an_id_whose_line_broke_is_not_checked_after_the_root_cause(seeds, rel, broken):
    made = add_related_article(seeds, [B, N])
    earlier, last = related_targets(seeds, rel)
    target = last if broken == "last" else earlier
    edit(seeds, rel, f"  - id: {target}\n", f"  - id: [{target}\n")
    found = problems_of(seeds)
    root = found[0]
    assert root.startswith(f"seeds/{rel}:") and "YAML syntax error" in root, "\n".join(found)
    line = root.split(":")[1]
    fid, article = made[rel], f"facts/{RELATED}.yaml"
    after = f" not checked because seeds/{rel} failed to parse (line {line})"
    block = (seeds / article).read_text(encoding="utf-8").split(f"  - id: {fid}\n")[1].split("\n\n")[0]
    start = (seeds / article).read_text(encoding="utf-8").split(f"  - id: {fid}\n")[0].count("\n") + 1

    def at(text, value):
        number = start + next(i for i, row in enumerate(block.splitlines(), 1) if text in row)
        return f"seeds/{article}:{number}:{block.splitlines()[number - start - 1].index(value) + 1}"

    if broken == "last":
        expected = [f"{at('responds_to: ', target)}: fact {fid!r}: responds_to {target!r}{after}",
                    f"{at('relation: citing', target)}: fact {fid!r}: attribution {target!r}{after}"]
    else:
        expected = [f"{at('type: supersedes', target)}: fact {fid!r}: relation 'supersedes' {target!r}{after}"]
    assert found[1:] == expected  # right after the root cause, once each, no "did you mean"
    assert not any("unknown fact" in p or "did you mean" in p for p in found)


def test_the_build_still_refuses_seeds_with_a_file_that_did_not_parse(seeds, tmp_path, capsys):
    add_related_article(seeds, [B, N])
    _, last = related_targets(seeds, B)
    edit(seeds, B, f"  - id: {last}\n", f"  - id: [{last}\n")
    db = tmp_path / "kb.sqlite"
    assert main(["build", "--seeds", str(seeds), "--db", str(db)]) == 1
    assert not db.exists()
    assert "YAML syntax error" in capsys.readouterr().err


def first_entity_named_by_facts(seeds, rel):
    """The first entity of ``rel`` (an entities file) that some fact names, as the text of a fact file has it."""
    facts = "".join(p.read_text(encoding="utf-8") for p in sorted((seeds / "facts").glob("*.yaml")))
    ids = [e["id"] for e in yaml.safe_load((seeds / rel).read_text(encoding="utf-8"))["entities"]]
    return next(eid for eid in ids if f" {eid}" in facts or f"[{eid}" in facts)


def test_a_broken_line_of_an_entities_file_is_the_one_problem(seeds):
    rel = "entities/people.yaml"
    eid = first_entity_named_by_facts(seeds, rel)
    block = (seeds / rel).read_text(encoding="utf-8").split(f"  - id: {eid}\n", 1)[1]
    name = next(line for line in block.splitlines() if line.startswith("    name: "))
    edit(seeds, rel, f"{name}\n", f"{name.replace('name: ', 'name: [', 1)}\n")
    found = problems_of(seeds)
    assert len(found) == 1 and found[0].startswith(f"seeds/{rel}:") and "YAML syntax error" in found[0], found


def test_a_fact_naming_an_entity_whose_line_broke_is_not_checked(seeds):
    rel = "entities/people.yaml"
    eid = first_entity_named_by_facts(seeds, rel)
    edit(seeds, rel, f"  - id: {eid}\n", f"  - id: [{eid}\n")
    found = problems_of(seeds)
    root, rest = found[0], found[1:]
    assert root.startswith(f"seeds/{rel}:") and "YAML syntax error" in root, found
    line = root.split(":")[1]
    assert rest and all(f" {eid!r} not checked because seeds/{rel} failed to parse (line {line})" in p
                        and p.startswith("seeds/facts/") for p in rest), found
    assert not any("unknown entity" in p or "did you mean" in p for p in found)


def test_a_denied_fact_whose_denial_may_be_in_a_file_that_did_not_parse_is_not_checked(seeds):
    made = add_related_article(seeds, [B])
    article = f"facts/{RELATED}.yaml"
    edit(seeds, article, "    status: reported\n", "    status: denied\n")  # no denial responds to it anywhere
    assert problems_of(seeds) == [(f"seeds/{article}:7:13: fact {made[B]!r}: status is 'denied' but no statement "
                                   "of kind 'denial' responds to it")]
    _, last = related_targets(seeds, B)
    edit(seeds, B, f"  - id: {last}\n", f"  - id: [{last}\n")
    found = problems_of(seeds)
    line = found[0].split(":")[1]
    assert found[0].startswith(f"seeds/{B}:") and found[1:] == [
        (f"seeds/{article}:7:13: fact {made[B]!r}: status 'denied' (a statement of kind 'denial' responding to it) "
         f"not checked because seeds/{B} failed to parse (line {line})"),
        # the statement's own references to the fact whose id line broke
        *[p for p in found[1:] if f"{last!r} not checked because seeds/{B}" in p]], found
