"""bench/harness.py, which the benchmarks and the server tests stand on: wrk's JSON report
counts what happened, the server is started, found ready and stopped, a built database's meta
table is read, and a docs block replaces only itself."""
import os
import signal
import subprocess
import sys
import time

import pytest

from bench.harness import REPORT_LUA, ServerError, machine, write_block
from support import ROOT, Server, dataset_version, get, read_meta, run_wrk


def test_wrk_report_counts_answers_errors_and_latency(live_server, tmp_path):
    paths = tmp_path / "paths.txt"
    paths.write_text("/v1/facts/no-such-fact\n/v1/facts/also-missing\n")
    missing = run_wrk(live_server, 1, connections=4, threads=1, script=REPORT_LUA.with_name("paths.lua"),
                      args=[paths])
    assert missing["requests"] > 0 and missing["rps"] > 0
    assert missing["non_2xx_3xx"] == missing["errors"]["status"] == missing["requests"]  # every answer a 404
    assert missing["socket_errors"] == 0 and missing["failed"] == missing["requests"]
    assert 0 < missing["p50"] <= missing["p90"] <= missing["p99"] <= missing["max"]

    # the default script GETs the URL itself; -H headers reach the server (a matching
    # If-None-Match is answered 304, which is no error)
    etag = get(int(live_server.rsplit(":", 1)[1]), "/v1")[1]["etag"]
    found = run_wrk(live_server + "/v1", 1, connections=2, threads=1, headers={"If-None-Match": etag})
    assert found["requests"] > 0 and found["failed"] == 0


def test_a_script_without_the_reporter_is_refused(live_server, tmp_path):
    script = tmp_path / "plain.lua"
    script.write_text('request = function() return wrk.format("GET", "/healthz") end\n')
    with pytest.raises(RuntimeError, match="report.lua"):
        run_wrk(live_server, 1, connections=1, threads=1, script=script)


def test_server_starts_ready_and_stops(db_path, tmp_path):
    log = tmp_path / "server.log"
    with Server(db_path, workers=1, log_path=log) as server:
        assert get(server.port, "/readyz")[0] == 200
        pid = server.proc.pid
    assert server.proc.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(ConnectionRefusedError):
        get(server.port, "/readyz", timeout=2)


def alive(pid):
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(line.split()[1] for line in status if line.startswith("State:")) != "Z"
    except FileNotFoundError:
        return False


def test_a_server_dies_with_the_process_that_started_it(db_path):
    starter = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from bench.harness import Server; "
         "s = Server(sys.argv[1], workers=1).start(); print(s.proc.pid, flush=True); time.sleep(120)", str(db_path)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        pid = int(starter.stdout.readline())
        assert alive(pid)
    finally:
        starter.send_signal(signal.SIGKILL)  # no cleanup code runs: only the kernel can stop the server
        starter.wait()
    deadline = time.monotonic() + 30
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid)


def test_a_server_that_cannot_start_is_reported(tmp_path):
    log = tmp_path / "server.log"
    with pytest.raises(ServerError, match="exited"):
        Server(tmp_path / "missing.sqlite", command=["python3", "-c", "print('no server here'); exit(3)"],
               log_path=log, timeout=10).start()
    assert "no server here" in log.read_text()


def test_read_meta(db_path):
    meta = read_meta(db_path)
    assert len(meta["dataset_version"]) == 64 and dataset_version(db_path) == meta["dataset_version"]


def test_machine_describes_this_one():
    m = machine(["pytest"])
    assert m["cores"] == os.cpu_count() and m["python"] and m["packages"]["pytest"] != "?"


def test_write_block_replaces_only_its_own_block(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## A\n\nnotes of A\n\n## B\n\nnotes of B\n")
    block = lambda body: f"<!-- a:start -->\n{body}\n<!-- a:end -->"  # noqa: E731
    write_block(doc, "## A", "<!-- a:start -->", "<!-- a:end -->", block("first"))
    write_block(doc, "## A", "<!-- a:start -->", "<!-- a:end -->", block("second"))
    write_block(doc, "## C", "<!-- c:start -->", "<!-- c:end -->", "<!-- c:start -->\nc\n<!-- c:end -->")
    assert doc.read_text() == ("# Benchmarks\n\n## A\n\n<!-- a:start -->\nsecond\n<!-- a:end -->\n\nnotes of A\n\n"
                               "## B\n\nnotes of B\n\n## C\n\n<!-- c:start -->\nc\n<!-- c:end -->\n")
