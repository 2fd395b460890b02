"""A curator may write any YAML: what the fast reader declines (block scalars here) is read
by PyYAML without a word, and the seeds validate and build as usual."""
import re
import sqlite3

import yaml

from kb.build import build
from kb.cli import validate
from kb.yaml.fast import Reader

# a one-line single-quoted note of the seeds, whichever comes first: it is rewritten as a folded block
ONE_LINE_NOTE = re.compile(r"^    note: '((?:[^'\n]|'')+)'\n", re.MULTILINE)
LITERAL = "    note: |\n      First line of a literal note.\n      Second line.\n"


def test_folded_and_literal_notes_validate_and_build(seeds_copy, tmp_path):
    path = next(p for p in sorted((seeds_copy / "facts").glob("*.yaml"))
                if len(ONE_LINE_NOTE.findall(p.read_text(encoding="utf-8"))) >= 2)
    text = path.read_text(encoding="utf-8")
    found = ONE_LINE_NOTE.search(text)
    note = yaml.safe_load(found.group(0).strip())["note"]
    words = note.split(" ")
    half = max(1, len(words) // 2)
    folded = f"    note: >-\n      {' '.join(words[:half])}\n      {' '.join(words[half:])}\n"
    text = text[:found.start()] + folded + text[found.end():]
    second = ONE_LINE_NOTE.search(text, found.start() + len(folded))
    text = text[:second.start()] + LITERAL + text[second.end():]
    path.write_text(text, encoding="utf-8")
    assert Reader().read(text) is None  # so it is PyYAML that reads this file

    seeds, problems = validate(seeds_copy)
    assert problems == []
    db = tmp_path / "kb.sqlite"
    build(seeds_copy, db, progress=False)
    with sqlite3.connect(db) as conn:
        notes = {row[0] for row in conn.execute("SELECT note FROM facts")}
    assert " ".join(note.split()) in {" ".join((n or "").split()) for n in notes}
    assert "First line of a literal note.\nSecond line.\n" in notes
