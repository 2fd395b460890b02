"""A corpus of broken seeds: each fails the build with file:line:column, and the served
database keeps its exact bytes."""
import hashlib

import pytest

from kb.cli import main

B = "facts/bloomberg-2024-07-25.yaml"
N = "facts/new-arab-2020-04-28.yaml"
C = "entities/countries.yaml"
S = "sources/bloomberg-2024-07-25.yaml"
TROOPS = """  - id: us-troops-northeastern-syria-2024
    type: troop_deployment
    summary: The US has about 900 troops in northeastern Syria in support of its Kurdish allies.
    date: "2024-07-25"
    date_precision: day
    status: stated
    country: united-states
    count: 900
    count_qualifier: about
"""

# (name, file, old text, new text, expected words in the message)
# The problem must be reported on the line where `new` starts (or the line marked with ^^ in `new`).
CASES = [
    ("syntax-error", B, "    type: meeting\n", "    type: [meeting\n", "YAML syntax error"),
    ("wrong-type", B, "    count: 900\n", "    count: many\n", "is not of type 'integer'"),
    ("missing-field", B, TROOPS, TROOPS.replace("    count_qualifier: about\n", ""), "missing required field 'count_qualifier'"),
    ("unknown-field", B, "    count: 900\n", "    count: 900\n    colour: red\n", "unknown field 'colour'"),
    ("duplicate-fact-id", B, "  - id: putin-assad-meeting-2023-03\n", "  - id: putin-assad-meeting-2024-07-24\n", "duplicate fact id"),
    ("dangling-entity", B, "    participants: [vladimir-putin, bashar-al-assad]\n", "    participants: [vladimir-putin, bashar-al-asad]\n", "unknown entity 'bashar-al-asad'"),
    ("dangling-source", N, "      - source: new-arab-2020-04-28\n        quote: Internal spats", "      - source: new-arab-2020-04-29\n        quote: Internal spats", "unknown source 'new-arab-2020-04-29'"),
    ("quote-not-in-source", B, "quote: Assad last met the Russian leader in March 2023.", "quote: Assad last met the Russian leader in April 2023.", "quote not found"),
    ("quote-wrong-apostrophe", B, "quote: The meeting follows Assad’s reintegration", "quote: The meeting follows Assad's reintegration", "differs only in quotation marks"),
    ("impossible-date", B, '    date: "2024-07-24"\n    date_precision: day\n    status: stated\n    participants', '    date: "2024-02-30"\n    date_precision: day\n    status: stated\n    participants', "has no day 30"),
    ("impossible-month", B, '    date: "2023-03"\n', '    date: "2023-13"\n', "month 13 does not exist"),
    ("malformed-date", B, '    date: "2023-03"\n', '    date: "March 2023"\n', "date"),
    ("future-dated-stated-fact", B, '    date: "2024-07-24"\n    date_precision: day\n    status: stated\n    participants', '    date: "2024-07-26"\n    date_precision: day\n    status: stated\n    participants', "after its source"),
    ("wrong-precision", B, '    date: "2023-03"\n    date_precision: month\n', '    date: "2023-03"\n    date_precision: day\n', "does not match date"),
    ("precision-without-date", N, "    date: null\n    date_precision: null\n", "    date: null\n    date_precision: day\n", "must be null when date is null"),
    ("duplicate-key", B, "    count: 900\n", "    count: 900\n    count: 901\n", "duplicate key 'count'"),
    ("bad-status", B, "    status: stated\n    country:", "    status: rumoured\n    country:", "'rumoured' is not one of"),
    ("bad-qualifier", B, "    count_qualifier: about\n", "    count_qualifier: roughly\n", "'roughly' is not one of"),
    ("negative-count", B, "    count: 900\n", "    count: -5\n", "less than the minimum"),
    ("one-participant-meeting", B, "    participants: [bashar-al-assad, vladimir-putin]\n", "    participants: [bashar-al-assad]\n", "too short"),
    ("unknown-event-kind", N, "    kind: pandemic\n", "    kind: plague\n", "'plague' is not one of"),
    ("dangling-responds-to", N, "    responds_to: putin-unhappy-with-assad-claim-2020\n", "    responds_to: putin-is-happy\n", "unknown fact 'putin-is-happy'"),
    ("bad-slug", B, "  - id: putin-assad-meeting-2023-03\n", "  - id: Putin Assad 2023\n", "does not match"),
    ("duplicate-entity-id", C, "  - id: syria\n", "  - id: russia\n", "duplicate entity id 'russia'"),
    ("bad-entity-type", C, "    type: country\n    name: China\n", "    type: nation\n    name: China\n", "'nation' is not one of"),
    ("source-impossible-date", S, 'published: "2024-07-25"\n', 'published: "2024-02-31"\n', "has no day 31"),
    ("source-id-not-file-name", S, "id: bloomberg-2024-07-25\n", "id: bloomberg-2024\n", "must equal the file name"),
    ("empty-file", B, None, "", "file is empty"),
]


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def served_db(tmp_path, seeds_copy):
    """A good database already in place, as if it were being served."""
    target = tmp_path / "served.sqlite"
    assert main(["build", "--seeds", str(seeds_copy), "--db", str(target), "--no-progress"]) == 0
    return target


def test_corpus_is_large_enough():
    assert len(CASES) >= 20
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("name, rel, old, new, words", CASES, ids=[c[0] for c in CASES])
def test_bad_yaml_fails_with_location_and_keeps_database(name, rel, old, new, words, seeds_copy, served_db, capsys):
    path = seeds_copy / rel
    text = path.read_text(encoding="utf-8")
    if old is None:
        broken, line = new, 1
    else:
        assert text.count(old) >= 1, f"case {name}: anchor text not found"
        at = text.index(old)
        broken = text[:at] + new + text[at + len(old):]
        line = text[:at].count("\n") + 1
    path.write_text(broken, encoding="utf-8")
    before = _digest(served_db)
    capsys.readouterr()

    for command in (["validate", "--seeds", str(seeds_copy)],
                    ["build", "--seeds", str(seeds_copy), "--db", str(served_db), "--no-progress"]):
        assert main(command) == 1
        err = capsys.readouterr().err
        hits = [l for l in err.splitlines() if l.startswith(f"{path}:") and words in l]
        assert hits, f"expected a {path}:LINE: ... {words!r} message, got:\n{err}"
        reported_lines = {int(h.split(":")[1]) for h in hits}
        # the problem is on the changed lines (a multi-line replacement may point at any of them)
        assert reported_lines & set(range(line, line + max(1, new.count("\n")) + 1)), (reported_lines, line, err)

    assert _digest(served_db) == before
    # the served dataset (database, dump folder, manifest: docs/releases.md, "Downloads") and nothing else
    assert sorted(p.name for p in served_db.parent.iterdir() if p.name != "seeds") == [
        "served.sqlite", "served.sqlite.downloads", "served.sqlite.manifest.json"]


def test_all_problems_are_reported_in_one_run(seeds_copy, capsys):
    path = seeds_copy / B
    text = path.read_text(encoding="utf-8")
    text = text.replace("    count: 900\n", "    count: many\n").replace("March 2023.", "April 2023.")
    path.write_text(text, encoding="utf-8")
    other = seeds_copy / C
    other.write_text(other.read_text(encoding="utf-8").replace("type: country\n    name: China", "type: nation\n    name: China"))
    assert main(["validate", "--seeds", str(seeds_copy)]) == 1
    err = capsys.readouterr().err
    assert "is not of type 'integer'" in err and "quote not found" in err and "'nation' is not one of" in err
