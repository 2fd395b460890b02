"""bench/changes_bench.py runs on a database built by the real loader and reports its changes."""
import re
import sqlite3

from bench import changes_bench


def test_changes_bench_reports_every_change(db_path):
    changes = sqlite3.connect(db_path).execute("SELECT count(*) FROM changes").fetchone()[0]
    line = changes_bench.row(str(db_path))
    assert re.fullmatch(r"\| [\d,]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|", line), line
    assert line.startswith(f"| {changes:,} |")
