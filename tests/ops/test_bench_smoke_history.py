"""The release-history benchmark's smoke mode runs end to end: a generated repository of 1k facts and
5 commits, then one more commit per round, built with and without history (the same dataset)."""
import json
import math
import subprocess
import sys

from support import ROOT


def test_history_bench_smoke_reports_a_ratio(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "bench.history_bench", "--smoke", "--workdir", str(tmp_path / "history")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.splitlines()[-1])
    assert (result["facts"], result["commits"], len(result["rounds"])) == (1000, 5, 2)
    # each round is one more commit, so one more release; every release is a commit of the repository
    assert [r["releases"] for r in result["rounds"]] == [6, 7]
    # each commit adds two facts, removes one and renames one: one more fact per round
    assert [r["facts"] for r in result["rounds"]] == [1000 + 4 + 1, 1000 + 4 + 2]
    assert result["edit"] == {"modified": 3, "added": 2, "removed": 1, "renamed": 1}
    for key in ("history_s", "plain_s", "cold_history_s", "cold_plain_s"):
        assert math.isfinite(result[key]) and result[key] > 0, key
    assert result["ratio"] == result["history_s"] / result["plain_s"]
    assert f"ratio {result['ratio']:.2f}" in proc.stdout
    # the work folder holds the scratch repository and its caches (never docs: smoke runs leave them alone)
    assert (tmp_path / "history" / "repo" / ".git").is_dir()
    assert (tmp_path / "history" / "releases-cache" / "v3").is_dir()
