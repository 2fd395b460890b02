"""Validator messages a curator can act on (issue #17, item 1).

Two corpora of mistakes, each made alone in a scratch copy of the seeds and validated with the
real loader:

- the twenty mistakes of the issue, one test each: a single message that names the fact, says
  what is expected and suggests the fix where there is one;
- a GENERATED corpus: every reference to an entity, source or fact, every closed vocabulary
  (types, kinds, statuses, ...), every pattern and every length limit of the JSON Schemas
  (found by walking them, so a new one is covered or fails here), and the YAML quoting traps.
"""
import datetime
import io
import json
import re
import shutil

import pytest
import seed_view
import yaml
from support import SEEDS, add_related_article

from factmodel.vocabulary import FACT_TYPES, SCHEMA_DIR
from kb.cli import main, validate
from kb.stubs import new_source

B = "facts/bloomberg-2024-07-25.yaml"
N = "facts/new-arab-2020-04-28.yaml"
SB = "sources/bloomberg-2024-07-25.yaml"


@pytest.fixture(params=["alone", "related"])
def seeds(tmp_path, request):
    """A copy of the seeds; "related": with a later article whose facts point at facts of both
    files (tests/support.py), which must not change what a mistake in them is told."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    if request.param == "related":
        add_related_article(target, [B, N])
    return target


def problems_of(seeds):
    return [str(p) for p in validate(seeds)[1]]


def edit(seeds, rel, old, new):
    path = seeds / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def one(seeds, *words):
    """The one problem found, which must contain every one of ``words``."""
    found = problems_of(seeds)
    assert len(found) == 1, "\n".join(found)
    for word in words:
        assert word in found[0], f"{word!r} not in {found[0]!r}"
    return found[0]


# -- the twenty mistakes of the issue ------------------------------------------------------------
def test_01_misspelled_entity_id(seeds):
    edit(seeds, B, "participants: [vladimir-putin, bashar-al-assad]", "participants: [vladimir-putin, bashar-al-asad]")
    one(seeds, "fact 'putin-assad-meeting-2024-07-24'", "unknown entity 'bashar-al-asad'", "did you mean 'bashar-al-assad'")


def test_02_entity_written_as_its_name(seeds):
    edit(seeds, B, "actors: [recep-tayyip-erdogan, bashar-al-assad]", "actors: [erdogan, bashar-al-assad]")
    msg = one(seeds, "fact 'erdogan-assad-fall-out'", "unknown entity 'erdogan' (did you mean ")
    # every entity named or aliased "Erdogan" is offered (the seeds may hold namesakes), the president among them
    suggested = re.search(r"did you mean (.*)\?\)", msg).group(1)
    assert "'recep-tayyip-erdogan'" in suggested
    assert set(re.findall(r"'([a-z0-9-]+)'", suggested)) <= {eid for s, ids in seed_view.spellings().items()
                                                             if "erdogan" in s.split() for eid in ids}


def test_03_misspelled_source_id(seeds):
    edit(seeds, N, "      - source: new-arab-2020-04-28\n", "      - source: new-arab-2020-4-28\n")
    one(seeds, "fact '", "unknown source 'new-arab-2020-4-28'", "did you mean 'new-arab-2020-04-28'")


def test_04_paraphrased_quote_gives_the_nearest_passage(seeds):
    edit(seeds, B, "quote: Assad last met the Russian leader in March 2023.",
         "quote: Assad had last met the Russian president in March 2023")
    one(seeds, "fact 'putin-assad-meeting-2023-03'", "quote not found",
        "nearest passage", "Assad last met the Russian leader in March 2023.")


def test_05_quote_under_the_wrong_source(seeds):
    edit(seeds, N, "      - source: new-arab-2020-04-28\n        quote: Russia's involvement in Syria",
         "      - source: bloomberg-2024-07-25\n        quote: Russia's involvement in Syria")
    one(seeds, "fact '", "quote not found in source 'bloomberg-2024-07-25'",
        "it is in source 'new-arab-2020-04-28': cite that source instead")


def test_06_straight_apostrophe_for_a_curly_one(seeds):
    edit(seeds, B, "quote: The meeting follows Assad’s reintegration", "quote: The meeting follows Assad's reintegration")
    one(seeds, "fact '", "differs only in quotation marks", "nearest passage", "Assad’s reintegration")


def test_07_date_in_words(seeds):
    edit(seeds, B, '    date: "2023-03"\n', '    date: "March 2023"\n')
    msg = one(seeds, "fact 'putin-assad-meeting-2023-03': date:", "expected YYYY, YYYY-MM or YYYY-MM-DD", '"2023-03"')
    assert "facts[" not in msg and "not valid under any of the given schemas" not in msg


def test_08_date_with_slashes(seeds):
    edit(seeds, B, '    date: "2024-07-24"\n', "    date: 24/07/2024\n")
    one(seeds, "fact 'putin-assad-meeting-2024-07-24': date:", "expected YYYY, YYYY-MM or YYYY-MM-DD", '"2024-07-24"')


def test_09_precision_that_does_not_match_the_date(seeds):
    edit(seeds, B, '    date: "2023-03"\n    date_precision: month\n', '    date: "2023-03"\n    date_precision: day\n')
    one(seeds, "fact 'putin-assad-meeting-2023-03'", "does not match date '2023-03', which has month precision")


def test_10_no_such_day(seeds):
    edit(seeds, B, '    date: "2024-07-24"\n', '    date: "2024-02-30"\n')
    one(seeds, "fact 'putin-assad-meeting-2024-07-24'", "has no day 30")


def test_11_mistyped_id_in_a_source_file_is_the_first_problem_and_every_citation_points_at_it(seeds):
    edit(seeds, SB, "id: bloomberg-2024-07-25\n", "id: bloomberg-2024-07-52\n")
    found = problems_of(seeds)
    assert "must equal the file name 'bloomberg-2024-07-25'" in found[0] and "/sources/" in found[0]
    rest = found[1:]
    assert rest and all("whose file was rejected: fix " in p and ":2:5 first" in p and "fact '" in p for p in rest)
    citations = sum(1 for rel in (B, N) for f in yaml.safe_load((SEEDS / rel).read_text())["facts"]
                    for c in f["citations"] if c["source"] == "bloomberg-2024-07-25")
    assert len(rest) == citations  # one per citation, nothing else


def test_12_a_fact_that_fails_the_schema_is_not_reported_again_by_what_refers_to_it(seeds):
    text = (seeds / N).read_text(encoding="utf-8")
    block = text.split("  - id: putin-unhappy-with-assad-claim-2020\n")[1]
    summary = re.search(r"    summary: .*\n", block).group()
    edit(seeds, N, "  - id: putin-unhappy-with-assad-claim-2020\n" + block[:block.index(summary)] + summary,
         "  - id: putin-unhappy-with-assad-claim-2020\n" + block[:block.index(summary)] + "    summary: Unhappy\n")
    one(seeds, "fact 'putin-unhappy-with-assad-claim-2020': summary:", "too short: at least 10 characters")


def test_13_quote_beginning_with_a_quotation_mark_written_plain(seeds):
    good = """        quote: '"The Kremlin needs to get rid of the Syrian headache," Alexander Shumilin, a former Russian diplomat told Bloomberg.'\n"""
    bad = """        quote: "The Kremlin needs to get rid of the Syrian headache," Alexander Shumilin, a former Russian diplomat told Bloomberg.\n"""
    edit(seeds, N, good, bad)
    msg = one(seeds, "fact 'shumilin-kremlin-syrian-headache': YAML syntax error", "Quote the whole value with single quotes")
    assert msg.rstrip().endswith(good.strip())  # the suggested line is the right one


def test_14_misspelled_event_kind(seeds):
    edit(seeds, N, "    kind: pandemic\n", "    kind: pandemmic\n")
    one(seeds, "fact 'coronavirus-pandemic-2020'", "'pandemmic' is not one of", "did you mean 'pandemic'")


def test_15_misspelled_fact_type(seeds):
    edit(seeds, B, "    type: meeting\n", "    type: meting\n")
    one(seeds, "fact 'putin-assad-meeting-2024-07-24': type:", "did you mean 'meeting'")


def test_16_misspelled_status(seeds):
    edit(seeds, B, "    status: predicted\n", "    status: predictd\n")
    one(seeds, "fact '", "status:", "did you mean 'predicted'")


def test_17_misspelled_field_name(seeds):
    edit(seeds, B, "    participants: [vladimir-putin, bashar-al-assad]\n", "    particpants: [vladimir-putin, bashar-al-assad]\n")
    found = problems_of(seeds)
    assert any("unknown field 'particpants' (did you mean 'participants'?)" in p and "fact 'putin-assad-meeting-2024-07-24'" in p
               for p in found), found
    assert len(found) == 2 and any("missing required field 'participants'" in p for p in found), found


def test_18_misspelled_responds_to(seeds):
    edit(seeds, N, "    responds_to: putin-unhappy-with-assad-claim-2020\n", "    responds_to: putin-unhapy-with-assad-claim-2020\n")
    one(seeds, "fact 'peskov-denies-putin-unhappy-with-assad'", "did you mean 'putin-unhappy-with-assad-claim-2020'")


def test_19_id_that_is_not_a_slug(seeds):
    edit(seeds, B, "  - id: putin-assad-meeting-2023-03\n", "  - id: Putin Assad meeting 2023\n")
    one(seeds, "fact 'Putin Assad meeting 2023': id:", "expected a slug", "'putin-assad-meeting-2023'")


def test_20_publication_date_in_words(seeds):
    edit(seeds, SB, 'published: "2024-07-25"\n', "published: 25 July 2024\n")
    found = problems_of(seeds)
    assert "published: '25 July 2024' does not match: expected YYYY-MM-DD" in found[0] and '"2024-07-25"' in found[0]
    assert "/sources/" in found[0] and all("whose file was rejected" in p for p in found[1:])


# -- the generated corpus ------------------------------------------------------------------------
def typo(value):
    """A plausible misspelling: one letter dropped from the middle."""
    middle = len(value) // 2
    return value[:middle] + value[middle + 1:]


def load(seeds, rel):
    path = seeds / rel
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def dump(seeds, rel, doc):
    (seeds / rel).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def all_facts():
    for rel in (B, N):
        for index, fact in enumerate(load(SEEDS, rel)["facts"]):
            yield rel, index, fact


def reference_cases():
    """(case id, file, fact index, path in the fact, wrong value, expected suggestion): the first
    use of every entity-naming field of every type, of a citation's source and of responds_to."""
    seen = set()
    for rel, index, fact in all_facts():
        ftype = FACT_TYPES[fact["type"]]
        for field, _role in ftype.role_fields:
            value = fact.get(field)
            if (fact["type"], field) in seen or not value:
                continue
            seen.add((fact["type"], field))
            where, good = ((field, 0), value[0]) if isinstance(value, list) else ((field,), value)
            yield f"entity-{fact['type']}-{field}", rel, index, where, typo(good), good
        if "source" not in seen:
            seen.add("source")
            good = fact["citations"][0]["source"]
            yield "source", rel, index, ("citations", 0, "source"), typo(good), good
        if "responds_to" not in seen and fact.get("responds_to"):
            seen.add("responds_to")
            yield "fact-responds_to", rel, index, ("responds_to",), typo(fact["responds_to"]), fact["responds_to"]


def vocabulary_cases():
    """Every closed list (enum) of every type: its first use, misspelled."""
    seen = set()
    for rel, index, fact in all_facts():
        ftype = FACT_TYPES[fact["type"]]
        fields = ["type", "status", "date_precision"] + [f.name for f in ftype.fields if f.enum]
        for field in fields:
            key = field if field in ("type", "status", "date_precision") else (fact["type"], field)
            value = fact.get(field)
            if key in seen or not isinstance(value, str) or len(value) < 4:
                continue
            seen.add(key)
            yield f"enum-{fact['type']}-{field}", rel, index, (field,), typo(value), value


def set_in(doc, where, value):
    node = doc
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = value


def test_the_generated_corpus_covers_every_role_field_and_closed_list():
    refs = {case[0] for case in reference_cases()}
    enums = {case[0] for case in vocabulary_cases()}
    used = {(fact["type"], field) for _, _, fact in all_facts() for field, _ in FACT_TYPES[fact["type"]].role_fields
            if fact.get(field)}
    assert {f"entity-{t}-{f}" for t, f in used} <= refs and {"source", "fact-responds_to"} <= refs
    assert {"enum-meeting-type", "enum-meeting-status", "enum-event-kind", "enum-statement-kind"} <= enums


@pytest.mark.parametrize("case", list(reference_cases()) + list(vocabulary_cases()), ids=lambda c: c[0])
def test_every_unknown_id_or_value_gets_did_you_mean(seeds, case):
    _name, rel, index, where, wrong, good = case
    doc = load(seeds, rel)
    fid = doc["facts"][index]["id"]
    set_in(doc["facts"][index], where, wrong)
    dump(seeds, rel, doc)
    one(seeds, f"fact {fid!r}", f"did you mean {good!r}")


def schema_limits():
    """(schema file, JSON pointer-ish path, keyword, limit) for every length limit and pattern."""
    found = []

    def walk(node, path, name):
        if isinstance(node, dict):
            for key in ("minLength", "maxLength", "minItems", "maxItems", "pattern"):
                if key in node:
                    found.append((name, path, key, node[key]))
            for key, value in node.items():
                walk(value, path + (key,), name)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, path + (i,), name)

    for schema in sorted(SCHEMA_DIR.glob("*.schema.json")):
        walk(json.loads(schema.read_text()), (), schema.name)
    return found


# where each limited value lives in the seeds: the last key of its schema path -> (file, setter)
def _fact_field(field):
    def put(doc, value):
        doc["facts"][0][field] = value
        return doc["facts"][0]["id"]
    return B, put


def _typed_field(ftype, field):
    def put(doc, value):
        fact = next(f for f in doc["facts"] if f["type"] == ftype)
        fact[field] = value
        return fact["id"]
    return N, put


def _citation_field(field):
    def put(doc, value):
        doc["facts"][0]["citations"][0][field] = value
        return doc["facts"][0]["id"]
    return B, put


def _source_field(field):
    def put(doc, value):
        doc[field] = value
    return SB, put


def _entity_field(field):
    def put(doc, value):
        doc["entities"][0][field] = value
    return "entities/people.yaml", put


def _removal_field(field):
    """seeds/removals.yaml (optional, absent from these seeds): one entry for an id that is not there."""
    def put(doc, value):
        doc.setdefault("removals", [{"kind": "fact", "id": "a-fact-that-was-removed", "reason": "retracted"}])
        doc["removals"][0][field] = value
    return "removals.yaml", put


LIMITED = {
    ("facts.schema.json", "summary"): _fact_field("summary"),
    ("facts.schema.json", "quote"): _citation_field("quote"),
    ("facts.schema.json", "citations"): _fact_field("citations"),
    ("facts.schema.json", "participants"): _fact_field("participants"),
    ("facts.schema.json", "text"): _typed_field("statement", "text"),
    ("facts.schema.json", "title"): _typed_field("position", "title"),
    ("facts.schema.json", "counted"): _typed_field("count", "counted"),
    ("source.schema.json", "title"): _source_field("title"),
    ("source.schema.json", "publisher"): _source_field("publisher"),
    ("source.schema.json", "published"): _source_field("published"),
    ("source.schema.json", "url"): _source_field("url"),
    ("source.schema.json", "language"): _source_field("language"),
    ("common.schema.json", "slug"): _fact_field("id"),
    ("common.schema.json", "day"): _source_field("published"),
    ("common.schema.json", "partial_date"): _fact_field("date"),
    ("entities.schema.json", "name"): _entity_field("name"),
    ("entities.schema.json", "description"): _entity_field("description"),
    ("entities.schema.json", "aliases"): _entity_field("aliases"),
    ("entities.schema.json", "items"): _entity_field("aliases"),
    ("removals.schema.json", "reason"): _removal_field("reason"),
}


def _owner(path):
    """The property a limit belongs to: the last key of its path that is not schema syntax."""
    syntax = {"properties", "$defs", "items", "anyOf", "allOf", "oneOf", "then", "if", "not", "prefixItems"}
    keys = [p for p in path if isinstance(p, str) and p not in syntax]
    if path[-2:-1] == ("items",) or (path and path[-1] == "items"):
        return keys[-1] if keys else "items"
    return keys[-1] if keys else "document"


def limit_cases():
    for name, path, keyword, limit in schema_limits():
        owner = _owner(path)
        if (name, owner) not in LIMITED and owner in ("common", "fact", "citation"):
            continue
        in_items = bool(path) and path[-1] == "items" and keyword != "minItems"
        yield f"{name}:{owner}{'[]' if in_items else ''}:{keyword}", name, owner, keyword, limit, in_items


def test_every_limit_and_pattern_of_the_schemas_is_in_the_corpus():
    missing = {(name, owner) for _, name, owner, _, _, _ in limit_cases()} - set(LIMITED)
    assert not missing, f"add a place in the seeds for {missing} to LIMITED"


def _breaking(keyword, limit, owner):
    if keyword == "minLength":
        return "x" * (limit - 1), f"at least {limit} characters"
    if keyword == "maxLength":
        return "x" * (limit + 1), f"at most {limit} characters"
    if keyword == "minItems":
        return [], f"at least {limit} items"
    if keyword == "maxItems":
        return ["x"] * (limit + 1), f"at most {limit} items"
    return "Not Valid 25/07/2024 !", "expected "


@pytest.mark.parametrize("case", list(limit_cases()), ids=lambda c: c[0])
def test_every_limit_and_pattern_says_what_is_expected(seeds, case):
    _, name, owner, keyword, limit, in_items = case
    rel, put = LIMITED[(name, owner)]
    value, expected = _breaking(keyword, limit, owner)
    if owner == "slug" and keyword == "maxLength":
        value = "a" * (limit + 1)
    if in_items:
        value = [value]
    doc = load(seeds, rel)
    fid = put(doc, value)
    dump(seeds, rel, doc)
    found = problems_of(seeds)
    assert found and expected in found[0], found
    if fid is not None and fid != value:
        assert f"fact {fid!r}" in found[0]
    if rel.startswith("entities/"):
        assert "entity 'vladimir-putin'" in found[0]
    if "/sources/" in found[0]:  # a rejected source: the rest point at it
        assert all("whose file was rejected" in p for p in found[1:]), found
    else:
        assert len(found) == 1 or (keyword == "minItems" and owner == "participants"), found


# the YAML quoting traps: a verbatim quote whose first character or inner ': ' YAML reads as syntax
TRAPS = ['"Not now," he said', "'Not now,' he said", "Assad: not now", "[Updated] Assad met Putin",
         "{sic} Assad met Putin", "*Assad met Putin", "!important: Assad met Putin", "@Kremlin said so",
         "`Assad met Putin`", "%25 of the troops", '"Quoted" and "quoted again"']


@pytest.mark.parametrize("value", TRAPS)
def test_every_yaml_quoting_trap_gets_the_line_to_write(seeds, value):
    edit(seeds, B, "quote: Assad last met the Russian leader in March 2023.", f"quote: {value}")
    found = problems_of(seeds)
    assert len(found) == 1 and "fact 'putin-assad-meeting-2023-03': YAML syntax error" in found[0], found
    fixed = found[0].splitlines()[-1].strip()
    assert fixed.startswith("quote: '") and yaml.safe_load(fixed) == {"quote": value}


# -- issue #17, item 2: what three mistakes are told, verbatim ----------------------------------
PEOPLE = "entities/people.yaml"
TWICE = "person-entered-twice"


def line_of(seeds, rel, text, after="", lead=""):
    """``line:column`` (1-based) of the first ``text`` in ``rel`` that follows ``lead``, after the first ``after``."""
    body = (seeds / rel).read_text(encoding="utf-8")
    offset = body.index(lead + text, body.index(after)) + len(lead)
    return f"{body.count(chr(10), 0, offset) + 1}:{offset - body.rfind(chr(10), 0, offset)}"


def enter_twice(seeds, more=""):
    """Append to the people file the first person of the seeds again, under another id, with
    their name in capitals as an alias (case does not count); return (id, name) of the first."""
    first = load(seeds, PEOPLE)["entities"][0]
    path = seeds / PEOPLE
    path.write_text(path.read_text(encoding="utf-8") + f"  - id: {TWICE}\n    type: person\n"
                    f"    name: {first['name']} (entered again)\n    aliases: [{json.dumps(first['name'].upper())}]\n"
                    f"    description: The same person, entered twice.\n{more}", encoding="utf-8")
    return first["id"], first["name"]


def test_the_same_person_entered_twice_is_a_warning_naming_both(seeds, capsys):
    eid, name = enter_twice(seeds)
    checked, problems = validate(seeds)
    people = seeds / PEOPLE
    assert problems == [] and [str(w) for w in checked.warnings] == [(
        f"{people}:{line_of(seeds, PEOPLE, json.dumps(name.upper()), f'id: {TWICE}')}: warning: entity {TWICE!r}: "
        f"alias {name.upper()!r} is also the name of entity {eid!r} "
        f"({people}:{line_of(seeds, PEOPLE, f'name: {name}', f'id: {eid}').split(':')[0]}): "
        f"if they are different, add `distinct_from: [{eid}]` to entity {TWICE!r}; if the same, merge them")]
    assert main(["validate", "--seeds", str(seeds)]) == 0  # printed, but only --strict fails on it
    assert str(checked.warnings[0]) in capsys.readouterr().err
    assert main(["validate", "--strict", "--seeds", str(seeds)]) == 1
    assert capsys.readouterr().err.endswith(f"{checked.warnings[0]}\n0 problem(s) found, 1 warning(s)\n")


@pytest.mark.parametrize("side", ["new-lists-first", "first-lists-new"])
def test_distinct_from_silences_the_warning_whichever_entity_lists_the_other(seeds, side):
    if side == "new-lists-first":
        enter_twice(seeds, f"    distinct_from: [{load(seeds, PEOPLE)['entities'][0]['id']}]\n")
    else:
        eid, _ = enter_twice(seeds)
        edit(seeds, PEOPLE, f"  - id: {eid}\n", f"  - id: {eid}\n    distinct_from: [{TWICE}]\n")
    checked, problems = validate(seeds)
    assert problems == [] and checked.warnings == []
    assert main(["validate", "--strict", "--seeds", str(seeds)]) == 0


def test_an_unknown_distinct_from_id_is_a_problem(seeds):
    enter_twice(seeds, "    distinct_from: [no-such-entity-at-all]\n")
    assert problems_of(seeds) == [(
        f"{seeds / PEOPLE}:{line_of(seeds, PEOPLE, 'no-such-entity-at-all', f'id: {TWICE}')}: entity {TWICE!r}: "
        "distinct_from refers to unknown entity 'no-such-entity-at-all' (no entity has a close id, name or alias: "
        "add it to seeds/entities/, or `kb entity find no-such-entity-at-all`)")]
    eid = load(seeds, PEOPLE)["entities"][0]["id"]
    edit(seeds, PEOPLE, "[no-such-entity-at-all]", f"[{typo(eid)}]")
    one(seeds, f"entity {TWICE!r}: distinct_from refers to unknown entity {typo(eid)!r} (did you mean {eid!r}")


def troop_deployment():
    """(file, fact) of the first troop deployment of the seeds."""
    return next((rel, fact) for rel, _, fact in all_facts() if fact["type"] == "troop_deployment")


def edit_fact(seeds, rel, fid, old, new):
    """Replace the first ``old`` after the id line of fact ``fid`` of ``rel`` with ``new``."""
    head, block = (seeds / rel).read_text(encoding="utf-8").split(f"  - id: {fid}\n", 1)
    assert old in block, old
    (seeds / rel).write_text(head + f"  - id: {fid}\n" + block.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("written", ["about {}", '"{}"'])
def test_a_count_written_as_text_names_count_qualifier(seeds, written):
    rel, fact = troop_deployment()
    fid, count = fact["id"], fact["count"]
    value = written.format(count)
    edit_fact(seeds, rel, fid, f"    count: {count}\n", f"    count: {value}\n")
    qualifiers = ", ".join(FACT_TYPES["troop_deployment"].field("count_qualifier").enum)  # as the schema has them
    assert problems_of(seeds) == [(
        f"{seeds / rel}:{line_of(seeds, rel, value, f'id: {fid}', 'count: ')}: fact {fid!r}: count: "
        f"{yaml.safe_load('k: ' + value)['k']!r} is not of type 'integer': expected a whole number; write the "
        f"number alone (count: {count}) and the wording in count_qualifier: one of {qualifiers}")]


def test_a_date_after_publication_shows_the_articles_relative_dates_before_the_advice(seeds, tmp_path):
    rel, fact = next((rel, fact) for rel, _, fact in all_facts() if fact["status"] == "stated"
                     and fact["date_precision"] == "day" and len(fact["citations"]) == 1)
    sid = fact["citations"][0]["source"]
    published = load(seeds, f"sources/{sid}.yaml")["published"]
    later = (datetime.date.fromisoformat(published) + datetime.timedelta(days=2)).isoformat()
    edit_fact(seeds, rel, fact["id"], f'    date: "{fact["date"]}"\n', f'    date: "{later}"\n')
    printed = io.StringIO()  # what `kb new-source` prints for that article: its table of relative dates
    new_source(tmp_path / "scratch", seeds / "sources" / f"{sid}.txt", "Scratch", published, sid="scratch", out=printed)
    table = printed.getvalue().split("\n\n")[1]
    assert table.startswith("relative dates in this article")
    line, column = line_of(seeds, rel, later, "id: " + fact["id"], 'date: "').split(":")  # the problem is at the quote
    assert problems_of(seeds) == [(
        f"{seeds / rel}:{line}:{int(column) - 1}: fact {fact['id']!r}: stated fact is dated "
        f"{later}, after its source {sid!r} was published ({published}, a "
        f"{datetime.date.fromisoformat(published).strftime('%A')}); {table}\n"
        "If the date comes from a relative wording (yesterday, on Monday, last week), take it from this table; "
        "if the fact is an expectation, use status 'predicted'.")]
