"""The facet benchmark runs (on the test database: seconds), so `make bench-facets` does not rot."""
import subprocess
import sys

from support import ROOT


def test_facet_bench_reports_every_row(db_path):
    run = subprocess.run([sys.executable, "-m", "bench.facet_bench", "--db", str(db_path), "--rounds", "2",
                          "--no-docs"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    rows = [line for line in run.stdout.splitlines() if line.startswith("| entity (") or line.startswith("| no filter")]
    assert len(rows) == 2 * 4  # each row printed as measured, then in the block
    assert "<!-- facet-bench:start" in run.stdout and "<!-- facet-bench:end -->" in run.stdout
