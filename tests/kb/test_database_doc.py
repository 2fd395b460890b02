"""docs/database.md names every table and every column of a built database."""
import re
import sqlite3

from support import ROOT  # noqa: E402

DOC = ROOT / "docs" / "database.md"


def test_every_table_and_column_is_in_docs_database_md(db_path):
    doc = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"`([A-Za-z_0-9]+)`", doc))
    headings = {name for line in re.findall(r"^#+ .*$", doc, re.M) for name in re.findall(r"`([a-z_0-9]+)`", line)}
    with sqlite3.connect(db_path) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        missing = [table for table in tables if table not in named]
        for table in tables:
            for column in conn.execute(f"PRAGMA table_info([{table}])"):
                if column[1] not in named:
                    missing.append(f"{table}.{column[1]}")
    assert missing == [], f"not in docs/database.md: {missing}"
    # every table of the schema proper (not FTS5's shadow tables) has its own heading
    own = [t for t in tables if not t.startswith("search_fts_")]
    assert [t for t in own if t not in headings] == []
