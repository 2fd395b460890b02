"""A curator may write any YAML: what the fast reader declines (block scalars here) is read
by PyYAML without a word, and the seeds validate and build as usual."""
import sqlite3

from kb.build import build
from kb.cli import validate
from kb.yaml.fast import Reader

FACTS = "facts/bloomberg-2024-07-25.yaml"
NOTE = "    note: '\"May last year\" in a 2024 article is May 2023.'\n"
FOLDED = ('    note: >-\n      "May last year" in a 2024\n'
          "      article is May 2023.\n")
LITERAL = "    note: |\n      First line of a literal note.\n      Second line.\n"


def test_folded_and_literal_notes_validate_and_build(seeds_copy, tmp_path):
    path = seeds_copy / FACTS
    text = path.read_text(encoding="utf-8")
    assert text.count(NOTE) == 1 and text.count("\n    note: ") >= 2
    text = text.replace(NOTE, FOLDED)
    second = text.index("\n    note: ", text.index(FOLDED) + len(FOLDED)) + 1
    end = text.index("\n", second) + 1
    text = text[:second] + LITERAL + text[end:]
    path.write_text(text, encoding="utf-8")
    assert Reader().read(text) is None  # so it is PyYAML that reads this file

    seeds, problems = validate(seeds_copy)
    assert problems == []
    db = tmp_path / "kb.sqlite"
    build(seeds_copy, db, progress=False)
    with sqlite3.connect(db) as conn:
        notes = {row[0] for row in conn.execute("SELECT note FROM facts")}
    assert '"May last year" in a 2024 article is May 2023.' in notes
    assert "First line of a literal note.\nSecond line.\n" in notes
