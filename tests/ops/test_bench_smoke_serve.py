"""The serving benchmark runs end to end in its smoke form (1,000 facts, one 1-second round per
target: `make bench-smoke-serve`), so the harness of `make bench` never rots; and its report
rewrites only its own part of docs/benchmarks.md."""
import json
import subprocess
import sys

from bench import serve_bench
from support import ROOT
KEYS = {"hello", "hello-gunicorn", "fact", "fact-page", "entity-facts", "entity-page", "typed", "list-small", "list-large", "cursor-small", "cursor-large", "search", "304",
        "datasette-row", "datasette-table"}


def test_serve_bench_smoke(tmp_path):
    out = tmp_path / "run.json"
    proc = subprocess.run([sys.executable, "-m", "bench.serve_bench", "--smoke", "--workdir", str(tmp_path),
                           "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    run = json.loads(out.read_text())
    assert {t["key"] for t in run["targets"]} == KEYS
    for key in KEYS:
        assert run["summary"][key]["rps"] > 0 and run["summary"][key]["p50"] > 0, key
        assert run["summary"][key]["errors"] == 0, key
    assert len(run["ratios"]) == len(serve_bench.RATIOS)
    assert run["plans"] and not [p for p in run["plans"] if p["problems"]]
    assert "GET /v1/facts/{id} ÷ bare Flask hello" in proc.stdout  # the printed table and ratios
    assert "updated docs/benchmarks.md" not in proc.stderr  # a smoke run leaves the docs alone

    # the report replaces only its own block of the ## Serving section
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Build\n\n<!-- build-bench:start -->\nbuild table\n<!-- build-bench:end -->\n\n"
                   "## Serving\n\nNotes kept.\n\n## Cluster\n\ncluster text\n")
    store = {"machine": run["machine"], "runs": {run["label"]: run, "another setup": run}}
    serve_bench.update_docs(store, doc)
    first = doc.read_text()
    serve_bench.update_docs(store, doc)
    text = doc.read_text()
    assert text == first
    assert text.count(serve_bench.START) == 1 and text.count("## Serving") == 1
    assert "build table" in text and "cluster text" in text and "Notes kept." in text
    serving = text.split("## Serving", 1)[1].split("## Cluster", 1)[0]
    assert serving.count("| bare Flask hello (framework ceiling) |") == 2 and serving.count("Machine:") == 1
    assert f"### {run['label']}" in serving and "### another setup" in serving
