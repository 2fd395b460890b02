"""Reliability: live dataset swap under load, killed builds, read-only serving, headers, logs."""
import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter

import pytest

from kb.build import build
from support import ROOT, Load, Server, dataset_version

MIX = ["/v1", "/v1/facts?limit=5", "/v1/facts/russia-tartus-port-lease", "/v1/meetings?participant=vladimir-putin",
       "/v1/entities?q=erdogan", "/v1/search?q=ceasefire", "/v1/entities/bashar-al-assad/facts?from=2020",
       "/v1/troop-deployments", "/v1/sources/new-arab-2020-04-28/facts?limit=3", "/readyz"]


def edit_summary(seeds, n):
    path = seeds / "facts" / "bloomberg-2024-07-25.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(summary: The US has about 900 troops[^\n]*?)(?: \(rev \d+\))?\n",
                           rf"\1 (rev {n})\n", text, count=1), encoding="utf-8")


def answered(load):
    """``[(when the answer came, its X-Dataset-Version)]`` of every HTTP answer so far."""
    return [(r.finished, r.headers.get("x-dataset-version")) for r in load.snapshot() if r.status is not None]


def test_live_swap_under_load_loses_nothing(seeds_copy, tmp_path):
    served = tmp_path / "kb.sqlite"
    build(seeds_copy, served, progress=False)
    versions = [dataset_version(served)]
    swap_times = []
    with Server(served, workers=2) as server, Load(server.port, [(p, {}) for p in MIX], threads=4) as load:
        while len(load.results) < 500:
            time.sleep(0.05)
        for n in (1, 2):
            edit_summary(seeds_copy, n)
            build(seeds_copy, served, progress=False)  # what `make db` does
            swapped_at = time.monotonic()
            versions.append(dataset_version(served))
            # every response from now on must carry the new version within 2 s
            deadline = swapped_at + 2
            while time.monotonic() < deadline:
                recent = [v for t, v in answered(load) if t > swapped_at]
                if len(recent) >= 20 and all(v == versions[-1] for v in recent[-20:]):
                    break
                time.sleep(0.01)
            first_new = min((t for t, v in answered(load) if t > swapped_at and v == versions[-1]), default=None)
            assert first_new is not None, "no response carried the new dataset version"
            swap_times.append(first_new - swapped_at)
            assert all(v == versions[-1] for v in recent[-20:]), f"old version still served 2 s after swap {n}"
        while len(load.results) < int(os.environ.get("KB_SWAP_REQUESTS", "2500")):
            time.sleep(0.05)
    assert len(set(versions)) == 3
    failures = load.failures(ok=(200, 304))
    assert failures == [], failures[:10]
    statuses = Counter(r.status for r in load.results)
    print(f"\nlive swap: {len(load.results)} requests, 0 failures, statuses {dict(statuses)}, "
          f"swap times {[round(s * 1000) for s in swap_times]} ms")
    assert max(swap_times) < 2


def replicate(seeds, copies):
    """Make a big seed set: the real facts repeated ``copies`` times under new ids."""
    for path in list((seeds / "facts").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for n in range(copies):
            copy = re.sub(r"^(  - id: \S+)$", rf"\1-r{n}", text, flags=re.M)
            copy = re.sub(r"^(    responds_to: (?!null)\S+)$", rf"\1-r{n}", copy, flags=re.M)
            (seeds / "facts" / f"{path.stem}-r{n}.yaml").write_text(copy, encoding="utf-8")


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_killed_half_way_leaves_served_database_and_no_temp_file(seeds_copy, tmp_path):
    served = tmp_path / "kb.sqlite"
    build(seeds_copy, served, progress=False)
    before = digest(served)
    replicate(seeds_copy, 60)
    proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "build", "--seeds", str(seeds_copy), "--db", str(served),
                             "--no-progress"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    temp = tmp_path / f".kb.sqlite.{proc.pid}.tmp"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (temp.exists() and temp.stat().st_size > 50_000):
        assert proc.poll() is None, "build finished before it could be killed: make the input bigger"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert temp.exists(), "the kill should have happened during the write"
    assert digest(served) == before  # the served database is untouched
    assert dataset_version(served)

    for replica in (seeds_copy / "facts").glob("*-r*.yaml"):
        replica.unlink()
    edit_summary(seeds_copy, 1)
    build(seeds_copy, served, progress=False)  # the next build
    assert not temp.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert digest(served) != before


def test_serving_connection_cannot_write(app):
    dataset = app.extensions["kb_db"].current()
    for sql in ("CREATE TABLE intruder (x)", "DELETE FROM facts", "UPDATE meta SET value = 'x'",
                "INSERT INTO entities (id, type, name, aliases, description, fact_count) VALUES ('a','person','A','[]','d',0)"):
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|attempt to write"):
            dataset.conn.execute(sql)


# The one POST: OpenRefine sends reconciliation batches as a form (W3C Reconciliation API). It is a
# query and writes nothing (tests/api/test_reconcile.py checks the database file is unchanged).
QUERY_POSTS = {"/v1/reconcile"}


def test_no_route_accepts_a_write_method(app, client):
    for rule in app.url_map.iter_rules():
        allowed = {"GET", "HEAD", "OPTIONS"} | ({"POST"} if rule.rule in QUERY_POSTS else set())
        assert rule.methods <= allowed, rule
    for path in ["/v1", "/v1/facts", "/v1/facts/russia-tartus-port-lease", "/v1/entities", "/v1/search", "/docs",
                 "/openapi.json", "/v1/meetings", "/v1/sources/bloomberg-2024-07-25"]:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = client.open(path, method=method, data=b'{"x": 1}', content_type="application/json")
            assert response.status_code == 405 and response.mimetype == "application/problem+json", (method, path)


def test_security_headers(client):
    for path in ["/v1", "/v1/facts/nope", "/docs", "/openapi.json", "/v1/facts?limit=0"]:
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    csp = client.get("/docs").headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp


@pytest.mark.parametrize("incoming, echoed", [("abc-123", True), ("a" * 64, True), ("bad id!", False),
                                              ("x" * 65, False), ("<script>", False)])
def test_request_id_is_echoed_only_when_safe(client, incoming, echoed):
    got = client.get("/v1", headers={"X-Request-Id": incoming}).headers["X-Request-Id"]
    assert (got == incoming) is echoed
    assert re.match(r"^[A-Za-z0-9._:-]{1,64}$", got)


def test_errors_leak_no_internals(app, tmp_path):
    from api.app import create_app

    bodies = [app.test_client().get(p).get_data(as_text=True) for p in
              ["/v1/facts?limit=x", "/v1/nope", "/v1/facts?cursor=zz", "/v1/search?q=%22"]]
    bodies.append(create_app({"KB_DB": str(tmp_path / "gone.sqlite")}).test_client().get("/v1").get_data(as_text=True))
    for body in bodies:
        assert "Traceback" not in body and ".py" not in body and str(tmp_path) not in body and "/work" not in body


def test_access_log_is_json_with_request_id(db_path, tmp_path):
    log = tmp_path / "server.log"
    with Server(db_path, workers=1, log_path=log) as server:
        request = urllib.request.Request(server.url + "/v1/facts?limit=1", headers={"X-Request-Id": "trace-42"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["X-Request-Id"] == "trace-42"
        # the line is written once the body has been sent, which may be just after the client read it
        deadline, mine = time.monotonic() + 10, []
        while not mine and time.monotonic() < deadline:
            lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
            mine = [entry for entry in lines if entry["request_id"] == "trace-42"]
            time.sleep(0.05)
    assert mine and mine[0]["path"] == "/v1/facts" and mine[0]["status"] == 200 and mine[0]["duration_ms"] >= 0
