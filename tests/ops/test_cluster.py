"""Scale-out: nginx (deploy/nginx.conf) in front of three Granian replicas (deploy/serve.py),
all run by supervisord (deploy/supervisord.conf, rendered and started by deploy/cluster.py) on
127.0.0.1 with free ports and a temporary runtime directory; deploy/publish.py rolls new
databases out.

Load balancing, the cache (keys, HIT, revalidation, problem documents untouched), a rolling
dataset update under a steady load, a replica stopped under load, a replica killed (SIGKILL)
under load and restarted by supervisord, and the per-address rate limits (429 problem
documents; cache hits limited far less than what reaches a replica). nginx is required: when
it is missing the tests install it (`make install-nginx`, root only) or fail; they never skip.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploy import cluster as cluster_mod
from deploy import publish
from kb.build import build
from support import ROOT, SEEDS, Load
from support import get as harness_get

NO_CACHE = {"Cache-Control": "no-cache"}
NO_LIMITS = {"rate": "100000r/s", "burst": 100000, "rate_all": "100000r/s", "burst_all": 100000}


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


def get(port, path, headers=None, source="127.0.0.1"):
    """One GET from the client address ``source``: each rate-limit test can be a client of its own."""
    return harness_get(port, path, headers, timeout=5, source=source)


def processes(cl):
    """supervisord's pid and every process under it (nginx, replicas and their workers)."""
    root = cl.pid("supervisord")
    children = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    tree, todo = [root], [root]
    pairs = [tuple(map(int, line.split())) for line in children.splitlines()]
    while todo:
        parent = todo.pop()
        kids = [pid for pid, ppid in pairs if ppid == parent]
        tree += kids
        todo += kids
    return tree


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except OSError:
        return False


def start(root, db, replicas=3, **kwargs):
    ensure_nginx()
    port, base_port, *_ = cluster_mod.free_ports(replicas)
    return cluster_mod.Cluster(root, port=port, replicas=replicas, base_port=base_port, **kwargs).start(db)


def stop(cl):
    started = processes(cl)
    assert cl.stop()
    # shutdown ends everything supervisord ran (and the replicas' workers)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in started if alive(pid)], "processes left running"


@pytest.fixture(scope="module")
def cluster(db_path, tmp_path_factory):
    cl = start(tmp_path_factory.mktemp("cluster"), db_path, workers=1, threads=4, **NO_LIMITS)
    try:
        yield cl
    finally:
        stop(cl)


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


def test_a_page_goes_through_the_cache_like_the_api(cluster):
    """The pages (/facts/{id}…) are cached by nginx like the JSON, their headers kept."""
    fact_id = json.loads(get(cluster.port, "/v1/facts?limit=1")[2])["data"][0]["id"]
    status, first, body = get(cluster.port, f"/facts/{fact_id}")
    assert (status, first["x-cache-status"]) == (200, "MISS") and first["content-type"].startswith("text/html")
    assert "script-src 'self'" in first["content-security-policy"]
    status, again, body_again = get(cluster.port, f"/facts/{fact_id}")
    assert (status, again["x-cache-status"], body_again) == (200, "HIT", body)
    assert again["content-security-policy"] == first["content-security-policy"]


def test_one_cache_entry_whatever_the_origin(cluster):
    """Responses vary by Accept only (``Vary: Accept``; CORS is ``*``, no answer depends on
    Origin): the same URL asked from three origins is one entry, a HIT after the first."""
    path = "/v1/sources?limit=3"
    answers = []
    for origin in ("https://one.example", "https://two.example", "http://localhost:3000"):
        status, headers, body = get(cluster.port, path, {"Origin": origin})
        assert status == 200 and headers["vary"] == "Accept" and headers["access-control-allow-origin"] == "*"
        answers.append((headers["x-cache-status"], headers["etag"], body))
    assert [cache for cache, _, _ in answers] == ["MISS", "HIT", "HIT"]
    assert len({(etag, body) for _, etag, body in answers}) == 1


def test_replicas_agree_on_the_validators(cluster):
    """Every replica gives the same ETag and Last-Modified for the same request (same dataset,
    same representation version, built_at from the inputs, same public address: nginx passes the
    client's Host to each)."""
    validators = set()
    for replica in cluster.replicas:
        status, headers, _ = get(replica["port"], "/v1/entities?limit=2", {"Host": f"127.0.0.1:{cluster.port}"})
        assert status == 200
        validators.add((headers["etag"], headers["last-modified"]))
    assert len(validators) == 1


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
    new = publish.dataset_version(second_db)
    assert old != new
    with Load(cluster.port, LOAD) as load:
        time.sleep(0.5)
        publish.publish(cluster.root, second_db, log=lambda *a: None)
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
            cluster.ctl("stop", f"replica:{victim['id']}")  # SIGTERM: graceful
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
        cluster.ctl("start", f"replica:{victim['id']}")
    # back in rotation once its fail_timeout (2 s) is over
    deadline = time.monotonic() + 10
    seen = set()
    while victim["id"] not in seen and time.monotonic() < deadline:
        seen.add(get(cluster.port, "/v1", NO_CACHE)[1]["x-replica"])
        time.sleep(0.05)
    assert victim["id"] in seen


def test_a_crashed_replica_is_restarted_and_nginx_answers_meanwhile(cluster):
    """SIGKILL to a replica's Granian master (no graceful anything): its workers die with it
    (deploy/serve.py), supervisord starts it again (autorestart), and nginx retries the
    requests it would have served on the other replicas, so clients see no failure."""
    victim = cluster.replicas[0]
    old_pid = cluster.pid(victim["id"])
    workers = [pid for pid in processes(cluster) if Path(f"/proc/{pid}/status").exists()
               and f"PPid:\t{old_pid}\n" in Path(f"/proc/{pid}/status").read_text()]
    assert workers, "the replica has no worker processes"
    requests = [("/v1", NO_CACHE), ("/v1/facts?limit=3", NO_CACHE), ("/readyz", {})]
    with Load(cluster.port, requests) as load:
        time.sleep(0.5)
        os.kill(old_pid, 9)
        killed = time.monotonic()
        deadline = killed + 30
        new_pid = None
        while time.monotonic() < deadline:  # supervisord's view: RUNNING again, another pid
            line = cluster.ctl("status", f"replica:{victim['id']}", check=False)
            if " RUNNING " in line and str(old_pid) not in line:
                new_pid = cluster.pid(victim["id"])
                break
            time.sleep(0.1)
        assert new_pid and new_pid != old_pid, line
        publish.wait_ready(victim["port"], timeout=20)
        restarted = time.monotonic()
        while victim["id"] not in {replica_of(r) for r in load.after(restarted)} and time.monotonic() < deadline:
            time.sleep(0.05)  # back in nginx's rotation once its fail_timeout (2 s) is over
        load.run_on(restarted, count=10)
    assert not [pid for pid in workers if alive(pid)], "workers of the killed master still running"
    assert victim["id"] in {replica_of(r) for r in load.after(restarted)}
    during = [r for r in load.results if killed <= r.started < restarted]
    assert len(during) >= 10
    print(f"\nreplica killed (SIGKILL) under load: restarted by supervisord in {restarted - killed:.2f} s; "
          f"{len(load.results)} requests through nginx, {len(during)} while it was down, "
          f"{len(load.failures())} failed")
    assert load.failures() == []


def test_command_line_status_and_versions(cluster):
    result = subprocess.run([sys.executable, "-m", "deploy.cluster", "--dir", str(cluster.root), "status"],
                            cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sorted(line.split()[0] for line in lines) == ["nginx", *sorted(f"replica:{r['id']}" for r in cluster.replicas)]
    assert all(line.split()[1] == "RUNNING" for line in lines), result.stdout
    result = subprocess.run([sys.executable, "-m", "deploy.publish", "--dir", str(cluster.root), "versions"],
                            cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    versions = json.loads(result.stdout)
    assert set(versions) == {"nginx", *(r["id"] for r in cluster.replicas)}
    assert len(set(versions.values())) == 1 and None not in versions.values()


def test_publish_refuses_without_nginx(db_path, tmp_path):
    cl = start(tmp_path / "one", db_path, replicas=1, **NO_LIMITS)
    try:
        cl.ctl("stop", "nginx")
        with pytest.raises(publish.PublishError, match="nginx does not answer"):
            publish.publish(cl.root, db_path, log=lambda *a: None)
    finally:
        stop(cl)


def test_an_expired_entry_is_revalidated_with_if_none_match(db_path, tmp_path):
    """One replica with max-age=1: once the entry expires, nginx asks the replica with
    If-None-Match, gets 304 (same dataset) and serves its stored body again."""
    cl = start(tmp_path / "short", db_path, replicas=1, threads=2, env={"KB_CACHE_MAX_AGE": "1"}, **NO_LIMITS)
    try:
        path = "/v1/entities?limit=4"
        status, first, body = get(cl.port, path)
        assert (status, first["x-cache-status"], first["cache-control"]) == (200, "MISS", "public, max-age=1")
        time.sleep(2.1)
        status, again, body_again = get(cl.port, path)
        assert (status, again["x-cache-status"]) == (200, "REVALIDATED")
        assert body_again == body and again["etag"] == first["etag"]
        # what the replica answered, from the log of nginx's server in front of the replicas
        log = cl.prefix / "logs" / "replicas.log"
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
            answers = [(r["upstream"], r["upstream_status"]) for r in records if r["uri"] == path]
            if len(answers) == 2:
                break
            time.sleep(0.1)
        replica = f"127.0.0.1:{cl.replicas[0]['port']}"
        assert answers == [(replica, "200"), (replica, "304")]
    finally:
        stop(cl)


# ---- rate limits: 2 requests/s (burst 3) reach the replicas, 10/s (burst 40) in all ----------

@pytest.fixture(scope="module")
def limited(db_path, tmp_path_factory):
    cl = start(tmp_path_factory.mktemp("limited"), db_path, replicas=1, threads=2,
               rate="2r/s", burst=3, rate_all="10r/s", burst_all=40)
    try:
        yield cl
    finally:
        stop(cl)


def assert_too_many_requests(status, headers, body):
    assert status == 429
    assert headers["content-type"] == "application/problem+json"
    assert int(headers["retry-after"]) >= 1
    assert headers["cache-control"] == "no-store"
    problem = json.loads(body)
    assert problem["status"] == 429 and problem["title"] == "Too Many Requests"
    assert problem["type"].endswith("/too-many-requests")


def test_a_burst_of_uncached_requests_gets_429_with_retry_after(limited):
    answers = [get(limited.port, "/v1/facts?limit=2", NO_CACHE, source="127.0.0.2") for _ in range(12)]
    statuses = [a[0] for a in answers]
    assert statuses[:4] == [200] * 4  # the burst, and the request the rate allows
    assert statuses.count(200) <= 6 and 429 in statuses, statuses  # 12 requests take far less than 1 s
    assert_too_many_requests(*answers[statuses.index(429)])
    # the limit is per address: another client still gets through
    assert get(limited.port, "/v1/facts?limit=2", NO_CACHE, source="127.0.0.3")[0] == 200
    # and a URL answered from the cache is not refused to the limited client
    assert get(limited.port, "/v1/facts?limit=2", source="127.0.0.2")[1]["x-cache-status"] == "HIT"
    print(f"\n12 uncached requests at once from one address (2 r/s, burst 3): {statuses}")


def test_a_burst_of_uncached_page_requests_is_limited_too(limited):
    fact_id = json.loads(get(limited.port, "/v1/facts?limit=1", source="127.0.0.6")[2])["data"][0]["id"]
    statuses = [get(limited.port, f"/facts/{fact_id}", NO_CACHE, source="127.0.0.5")[0] for _ in range(12)]
    assert statuses.count(200) <= 6 and 429 in statuses, statuses


def test_cache_hits_are_not_limited_at_the_uncached_rate(limited):
    path = "/v1/entities?limit=2"
    status, first, _ = get(limited.port, path, source="127.0.0.4")
    assert (status, first["x-cache-status"]) == (200, "MISS")
    started = time.monotonic()
    hits = [get(limited.port, path, source="127.0.0.4") for _ in range(25)]
    conditional = [get(limited.port, path, {"If-None-Match": first["etag"]}, source="127.0.0.4") for _ in range(10)]
    elapsed = time.monotonic() - started
    assert {(h[0], h[1]["x-cache-status"]) for h in hits} == {(200, "HIT")}
    assert {(c[0], c[1]["x-cache-status"]) for c in conditional} == {(304, "HIT")}
    assert 35 > 3 + 1 + 2 * elapsed  # more than the uncached rate would have let through
    # cache hits have a limit of their own, five times higher: it ends a flood of them too
    statuses = []
    while 429 not in statuses and len(statuses) < 300:
        statuses.append(get(limited.port, path, source="127.0.0.4")[0])
    assert 429 in statuses, f"no 429 in {len(statuses)} cache hits"
    print(f"\n{len(hits) + len(conditional)} cache hits of one URL in {elapsed:.2f} s from one address, none limited; "
          f"the limit on every request (10 r/s, burst 40) refused the {len(statuses) + 36}th request")


def test_publish_refuses_a_truncated_file_and_touches_no_replica(cluster, db_path, tmp_path):
    from support import BAD_FILES

    bad = tmp_path / "truncated.sqlite"
    BAD_FILES["truncated"][0](db_path, bad)
    files = [Path(cluster.root) / f"replica-{replica['port']}" / "kb.sqlite" for replica in cluster.replicas]
    before = [(f.stat().st_ino, f.stat().st_mtime_ns, f.read_bytes()) for f in files]
    run = subprocess.run([sys.executable, "-m", "deploy.publish", "--dir", str(cluster.root), "publish", str(bad)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and run.stdout == ""
    assert "refusing to publish" in run.stderr and "size_mismatch" in run.stderr
    assert "no replica was touched" in run.stderr
    assert [(f.stat().st_ino, f.stat().st_mtime_ns, f.read_bytes()) for f in files] == before
    with pytest.raises(publish.PublishError, match="search_index"):
        BAD_FILES["no-search-index"][0](db_path, tmp_path / "nofts.sqlite")
        publish.publish(cluster.root, tmp_path / "nofts.sqlite", log=lambda *a: None)
    assert [(f.stat().st_ino, f.stat().st_mtime_ns, f.read_bytes()) for f in files] == before


def test_publish_checks_the_manifest_when_there_is_one(db_path, tmp_path):
    import hashlib
    import shutil

    copy = tmp_path / "kb.sqlite"
    shutil.copyfile(db_path, copy)
    Path(f"{copy}.sha256").write_text(f"{'0' * 64}  kb.sqlite\n")
    with pytest.raises(publish.PublishError, match="manifest"):
        publish.verify(copy)
    Path(f"{copy}.sha256").write_text(f"{hashlib.sha256(copy.read_bytes()).hexdigest()}  kb.sqlite\n")
    assert publish.verify(copy)["dataset_version"] == publish.dataset_version(copy)


# ---- Downloads (docs/deploy.md, "Downloads"): nginx serves the published release's files itself --
def _sha256(data):
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _head(port, path):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("HEAD", path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_nginx_serves_the_downloads_resumably_and_they_are_the_manifest_s(cluster):
    status, headers, body = get(cluster.port, "/v1/downloads", NO_CACHE)
    assert status == 200
    listed = {item["name"]: item for item in json.loads(body)["data"]}
    manifest = json.loads((Path(cluster.root) / "downloads" / "manifest.json").read_text())
    assert manifest["dataset_version"] == headers["x-dataset-version"] and set(listed) == set(manifest["artifacts"])
    for name, item in listed.items():
        assert {k: item[k] for k in ("sha256", "size", "url")} == {
            k: manifest["artifacts"][name][k] for k in ("sha256", "size", "url")}
        status, headers, whole = get(cluster.port, item["url"])
        assert status == 200 and "x-replica" not in headers, headers  # nginx's own answer, from its folder
        assert headers["content-type"] == item["media_type"] and headers["accept-ranges"] == "bytes"
        assert _sha256(whole) == item["sha256"] and headers["content-length"] == str(item["size"])
        tag, size, cut = headers["etag"], item["size"], item["size"] // 2
        status, headers, first = get(cluster.port, item["url"], {"Range": f"bytes=0-{cut - 1}"})
        assert status == 206 and headers["content-range"] == f"bytes 0-{cut - 1}/{size}"
        status, headers, rest = get(cluster.port, item["url"], {"Range": f"bytes={cut}-", "If-Range": tag})
        assert status == 206 and headers["content-range"] == f"bytes {cut}-{size - 1}/{size}"
        assert _sha256(first + rest) == item["sha256"]
        status, _, body = get(cluster.port, item["url"], {"If-None-Match": tag})
        assert status == 304 and body == b""
        status, headers, body = get(cluster.port, item["url"], {"Range": f"bytes={size}-"})
        assert status == 416 and headers["content-type"] == "application/problem+json"
        assert headers["content-range"] == f"bytes */{size}" and json.loads(body)["status"] == 416
        status, headers, body = _head(cluster.port, item["url"])
        assert status == 200 and body == b"" and headers["content-length"] == str(size)
    # the replicas serve the same bytes themselves (with the SHA-256 as ETag)
    replica = cluster.replicas[0]["port"]
    status, headers, body = get(replica, "/v1/downloads/facts.ndjson.gz")
    assert status == 200 and headers["etag"] == f'"{listed["facts.ndjson.gz"]["sha256"]}"'
    assert _sha256(body) == listed["facts.ndjson.gz"]["sha256"]


def _dataset_copy(db, dest):
    """The dataset at ``db`` (database, dump folder, manifest) copied to the folder ``dest``."""
    import shutil

    from factmodel.downloads import downloads_dir, manifest_path

    dest.mkdir(parents=True)
    shutil.copyfile(db, dest / "kb.sqlite")
    shutil.copytree(downloads_dir(db), downloads_dir(dest / "kb.sqlite"))
    shutil.copyfile(manifest_path(db), manifest_path(dest / "kb.sqlite"))
    return dest / "kb.sqlite"


def test_publish_checks_the_downloads_then_rolls_them_out(cluster, db_path, second_db, tmp_path):
    from factmodel.downloads import downloads_dir, manifest_path

    root = Path(cluster.root)
    watched = [root / "downloads" / name for name in ("kb.sqlite", "facts.ndjson.gz", "facts.parquet",
                                                      "citations.parquet", "entities.parquet", "manifest.json")]
    watched += [root / f"replica-{r['port']}" / "kb.sqlite" for r in cluster.replicas]
    before = [(f.stat().st_ino, f.stat().st_mtime_ns) for f in watched]
    damaged = _dataset_copy(db_path, tmp_path / "damaged")
    dump = next(downloads_dir(damaged).glob("facts-*.ndjson.gz"))
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(publish.PublishError, match="facts dump.*no replica was touched"):
        publish.publish(root, damaged, log=lambda *a: None)
    damaged_parquet = _dataset_copy(db_path, tmp_path / "damaged-parquet")  # issue 32: the Parquet files too
    citations = next(downloads_dir(damaged_parquet).glob("citations-*.parquet"))
    citations.write_bytes(citations.read_bytes()[:-1])
    with pytest.raises(publish.PublishError, match="citations.parquet.*no replica was touched"):
        publish.publish(root, damaged_parquet, log=lambda *a: None)
    lying = _dataset_copy(db_path, tmp_path / "lying")
    manifest = json.loads(manifest_path(lying).read_text())
    manifest["artifacts"]["kb.sqlite"]["sha256"] = "0" * 64
    manifest_path(lying).write_text(json.dumps(manifest))
    with pytest.raises(publish.PublishError, match="the database .*manifest's"):
        publish.publish(root, lying, log=lambda *a: None)
    assert [(f.stat().st_ino, f.stat().st_mtime_ns) for f in watched] == before

    serving = get(cluster.port, "/readyz")[1]["x-dataset-version"]
    target = db_path if serving == publish.dataset_version(second_db) else second_db
    publish.publish(root, target, log=lambda *a: None)
    expected = json.loads(manifest_path(target).read_text())["artifacts"]
    status, headers, body = get(cluster.port, "/v1/downloads")
    assert headers["x-dataset-version"] == publish.dataset_version(target)
    assert {i["name"]: i["sha256"] for i in json.loads(body)["data"]} == {n: a["sha256"] for n, a in expected.items()}
    for name, artifact in expected.items():
        status, _, data = get(cluster.port, artifact["url"])
        assert status == 200 and _sha256(data) == artifact["sha256"], name
