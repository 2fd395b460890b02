"""Scale-out: nginx (deploy/nginx.conf) in front of three gunicorn replicas, run by
deploy/cluster.py on 127.0.0.1 with free ports and a temporary runtime directory.

Load balancing, the cache (keys, HIT, revalidation, problem documents untouched), a rolling
dataset update under a steady load, and a replica stopped under load. nginx is required: when it is missing
the tests install it (`make install-nginx`, root only) or fail; they never skip.
"""
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploy import cluster as cluster_mod
from kb.build import build
from support import ROOT, SEEDS, Load, free_ports, get as http_get

NO_CACHE = {"Cache-Control": "no-cache"}


def ensure_nginx():
    try:
        return cluster_mod.find_nginx()
    except cluster_mod.ClusterError:
        pass
    result = subprocess.run(["make", "-s", "install-nginx"], cwd=ROOT, capture_output=True, text=True)
    try:
        return cluster_mod.find_nginx()
    except cluster_mod.ClusterError:
        pytest.fail("nginx is required by the cluster tests and could not be installed "
                    f"(`make install-nginx` needs root):\n{result.stdout}{result.stderr}", pytrace=False)


def get(port, path, headers=None):
    return http_get(port, path, headers, timeout=5)


@pytest.fixture(scope="module")
def cluster(db_path, tmp_path_factory):
    ensure_nginx()
    root = tmp_path_factory.mktemp("cluster")
    port, *replica_ports = free_ports(4)
    cl = cluster_mod.Cluster(root, port=port, replica_ports=replica_ports, workers=1, threads=4)
    started = []
    try:
        cl.start(db_path)
        started = [cl.nginx_pid(), *(cl.replica_pid(r) for r in cl.replicas)]
        yield cl
    finally:
        cl.stop()
        # `stop` ends exactly what `start` started (and every replica restarted since)
        deadline = time.monotonic() + 10
        while any(cluster_mod.pid_alive(pid) for pid in started if pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in started if pid and cluster_mod.pid_alive(pid)], "processes left running"


@pytest.fixture(scope="module")
def second_db(tmp_path_factory):
    """The seeds with one summary changed: a database with another dataset version."""
    import shutil

    base = tmp_path_factory.mktemp("db2")
    seeds = base / "seeds"
    shutil.copytree(SEEDS, seeds)
    facts = seeds / "facts" / "bloomberg-2024-07-25.yaml"
    text = facts.read_text()
    assert "summary: Vladimir Putin met" in text
    facts.write_text(text.replace("summary: Vladimir Putin met", "summary: (revised) Vladimir Putin met", 1))
    path = base / "kb2.sqlite"
    build(seeds, path, progress=False)
    return path


# GETs through nginx for support.Load (one new connection per request, as many independent
# clients would), and what each outcome's headers say: replica, dataset version, cache status
LOAD = [("/v1", {}), ("/v1/facts?limit=5", {}), ("/readyz", {}), ("/v1/entities?limit=3", NO_CACHE)]


def replica_of(outcome):
    return outcome.headers.get("x-replica")


def version_of(outcome):
    return outcome.headers.get("x-dataset-version")


def cache_of(outcome):
    return outcome.headers.get("x-cache-status")


def test_requests_reach_every_replica(cluster):
    ids = {r["id"] for r in cluster.replicas}
    seen = set()
    for _ in range(30):
        status, headers, _ = get(cluster.port, "/v1", NO_CACHE)
        assert status == 200
        assert headers["x-cache-status"] == "BYPASS"
        seen.add(headers["x-replica"])
        if seen == ids:
            break
    assert seen == ids


def test_repeated_get_is_a_cache_hit_and_keys_keep_requests_apart(cluster):
    path = "/v1/facts?limit=7"
    status, first, body = get(cluster.port, path)
    assert (status, first["x-cache-status"]) == (200, "MISS")
    assert first["cache-control"].startswith("public, max-age=")
    status, again, body_again = get(cluster.port, path)
    assert (status, again["x-cache-status"]) == (200, "HIT")
    assert body_again == body and again["etag"] == first["etag"]
    assert again["x-replica"] == first["x-replica"]  # the stored response, not a new one

    # a different query string, or another Accept, is another entry
    status, other, other_body = get(cluster.port, "/v1/facts?limit=8")
    assert (status, other["x-cache-status"]) == (200, "MISS")
    assert other_body != body
    status, csv, csv_body = get(cluster.port, path, {"Accept": "text/csv"})
    assert (status, csv["x-cache-status"]) == (200, "MISS")
    assert csv["content-type"].startswith("text/csv")
    status, csv_again, _ = get(cluster.port, path, {"Accept": "text/csv"})
    assert csv_again["x-cache-status"] == "HIT"
    status, json_again, _ = get(cluster.port, path)
    assert json_again["x-cache-status"] == "HIT" and json_again["content-type"].startswith("application/json")

    # If-None-Match is answered from the cache
    status, conditional, empty = get(cluster.port, path, {"If-None-Match": first["etag"]})
    assert (status, conditional["x-cache-status"], empty) == (304, "HIT", b"")


def test_problem_documents_pass_through_untouched_and_are_not_stored(cluster):
    replica = cluster.replicas[0]
    direct_status, direct, direct_body = get(replica["port"], "/v1/facts/no-such-fact")
    for _ in range(2):
        status, headers, body = get(cluster.port, "/v1/facts/no-such-fact")
        assert status == direct_status == 404
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(body) == json.loads(direct_body)
        assert headers["x-cache-status"] == "MISS"
    status, headers, body = get(cluster.port, "/v1/facts?limit=0")
    assert 400 <= status < 500 and headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == status
    assert json.loads(body) == json.loads(get(replica["port"], "/v1/facts?limit=0")[2])


def test_rolling_update_under_load_loses_no_request(cluster, second_db):
    old = get(cluster.port, "/readyz")[1]["x-dataset-version"]
    new = cluster_mod.dataset_version(second_db)
    assert old != new
    with Load(cluster.port, LOAD) as load:
        time.sleep(0.5)
        cluster.publish(second_db, log=lambda *a: None)
        done = time.monotonic()
        load.run_on(done, count=3 * len(LOAD))
    assert len(load.results) >= 20
    assert load.failures() == [], load.failures()
    versions = [version_of(r) for r in load.results]
    assert versions[0] == old
    # once publish has returned, every answer is of the new version, cached ones included
    after = load.after(done)
    assert after and {version_of(r) for r in after} == {new}
    assert any(cache_of(r) == "HIT" for r in after), [(r.path, cache_of(r)) for r in after]
    for replica in cluster.replicas:
        assert get(replica["port"], "/readyz")[1]["x-dataset-version"] == new
    for path, _ in LOAD:
        assert get(cluster.port, path)[1]["x-dataset-version"] == new
    hit = get(cluster.port, "/v1/facts?limit=5")[1]
    assert (hit["x-cache-status"], hit["x-dataset-version"]) == ("HIT", new)
    print(f"\nrolling update under load: {len(load.results)} requests, {len(load.failures())} failed, "
          f"{len(after)} after publish all on the new version")


def test_a_stopped_replica_is_routed_around(cluster):
    victim = cluster.replicas[1]
    requests = [("/v1", NO_CACHE), ("/readyz", {}), ("/v1/facts?limit=2", NO_CACHE)]
    try:
        with Load(cluster.port, requests) as load:
            time.sleep(0.5)
            cluster.stop_replica(victim["id"])
            stopped = time.monotonic()
            load.run_on(stopped, count=30)
        assert load.failures() == []
        before = {replica_of(r) for r in load.results if r.started < stopped - 0.1}
        after = load.after(stopped)
        assert victim["id"] in before
        assert len(after) >= 30 and victim["id"] not in {replica_of(r) for r in after}
        print(f"\nreplica stopped under load: {len(load.results)} requests, {len(load.failures())} failed, "
              f"{len(after)} after the stop served by {sorted({replica_of(r) for r in after})}")
    finally:
        cluster.start_replica(victim["id"])
    # back in rotation once its fail_timeout (2 s) is over
    deadline = time.monotonic() + 10
    seen = set()
    while victim["id"] not in seen and time.monotonic() < deadline:
        seen.add(get(cluster.port, "/v1", NO_CACHE)[1]["x-replica"])
        time.sleep(0.05)
    assert victim["id"] in seen


def test_command_line_status(cluster):
    result = subprocess.run([sys.executable, str(ROOT / "deploy" / "cluster.py"), "--dir", str(cluster.root), "status"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["nginx"]["pid"] == cluster.nginx_pid()
    assert [r["port"] for r in status["replicas"]] == [r["port"] for r in cluster.replicas]
    assert all(r["pid"] and r["dataset_version"] for r in status["replicas"])


def test_an_expired_entry_is_revalidated_with_if_none_match(db_path, tmp_path):
    """One replica with max-age=1: once the entry expires, nginx asks the replica with
    If-None-Match, gets 304 (same dataset) and serves its stored body again."""
    ensure_nginx()
    port, replica_port = free_ports(2)
    cl = cluster_mod.Cluster(tmp_path / "short", port=port, replica_ports=[replica_port], workers=1, threads=2,
                             env={"KB_CACHE_MAX_AGE": "1"})
    try:
        cl.start(db_path)
        path = "/v1/entities?limit=4"
        status, first, body = get(cl.port, path)
        assert (status, first["x-cache-status"], first["cache-control"]) == (200, "MISS", "public, max-age=1")
        time.sleep(2.1)
        status, again, body_again = get(cl.port, path)
        assert (status, again["x-cache-status"]) == (200, "REVALIDATED")
        assert body_again == body and again["etag"] == first["etag"]
        access_log = Path(cl.replica(0)["dir"]) / "access.log"
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            records = [json.loads(line) for line in access_log.read_text().splitlines() if line.startswith("{")]
            if [int(r["status"]) for r in records if r.get("query") == "limit=4"] == [200, 304]:
                break
            time.sleep(0.1)
        assert [int(r["status"]) for r in records if r.get("query") == "limit=4"] == [200, 304]
    finally:
        cl.stop()
