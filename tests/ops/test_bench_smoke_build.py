"""The build benchmark's smoke mode runs end to end and reports a numeric build/floor ratio."""
import math
import subprocess
import sys

from support import ROOT


def test_build_bench_smoke_reports_a_ratio(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "bench.build_bench", "--smoke", "--workdir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    header = next(line for line in lines if line.split()[:1] == ["N"])
    assert "ratio build/floor" in header
    rows = [line.split() for line in lines if line.split()[:1] == ["1,000"]]
    assert len(rows) == 1, proc.stdout
    n, build_s, build_rss, floor_s, ratio = rows[0][:5]
    build_s, build_rss, floor_s, ratio = float(build_s), float(build_rss), float(floor_s), float(ratio)
    assert build_s > 0 and floor_s > 0 and build_rss > 0
    assert math.isfinite(ratio) and ratio > 0
    # the columns agree: seconds are printed to 0.1 s and the ratio to 0.01, so the ratio must lie
    # within what the rounded seconds allow
    low, high = (build_s - 0.05) / (floor_s + 0.05), (build_s + 0.05) / max(floor_s - 0.05, 1e-9)
    assert low - 0.005 <= ratio <= high + 0.005, (ratio, build_s, floor_s)
    # the generated seeds are cached in the work folder, and the smoke run leaves docs alone
    assert (tmp_path / "n1000-seed1" / "seeds" / "generated.json").exists()
    assert (tmp_path / "n1000-seed1" / "facts.ndjson").exists()
