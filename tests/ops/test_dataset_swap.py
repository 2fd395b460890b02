"""A bad dataset never replaces a good one (factmodel/dataset_check.py, api/dataset/swaps.py): files renamed
over KB_DB or overwritten in place, in process and against the production server under load.
Real files, no mocks; numbers are printed, not asserted against a clock."""
import json
import os
import shutil
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from factmodel import dataset_check
from factmodel.vocabulary import FACT_TYPES
from kb.build import SCHEMA_VERSION, build
from support import BAD_FILES, Load, Server, dataset_version, get

MIX = ["/v1", "/v1/facts?limit=5", "/v1/facts/russia-tartus-port-lease", "/v1/meetings?participant=vladimir-putin",
       "/v1/entities?q=erdogan", "/v1/search?q=ceasefire", "/v1/entities/bashar-al-assad/facts?from=2020",
       "/v1/troop-deployments", "/readyz"]


# ---- the check itself ----------------------------------------------------------------------
def test_a_fresh_build_passes(db_path):
    meta = dataset_check.check(db_path)
    assert meta["dataset_version"] == dataset_version(db_path)


def test_the_check_knows_what_the_build_writes(db_path):
    assert str(SCHEMA_VERSION) in dataset_check.SCHEMA_VERSIONS
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    built = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    assert set(dataset_check.REQUIRED_TABLES) <= built
    assert {ftype.table for ftype in FACT_TYPES.values()} <= set(dataset_check.REQUIRED_TABLES)


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_each_bad_file_is_rejected_with_its_reason(db_path, tmp_path, kind):
    make, reason = BAD_FILES[kind]
    bad = tmp_path / "bad.sqlite"
    make(db_path, bad)
    with pytest.raises(dataset_check.Rejected) as caught:
        dataset_check.check(bad)
    assert caught.value.reason == reason and caught.value.detail
    assert str(tmp_path) not in caught.value.detail


def test_header_check_alone_catches_truncation_and_garbage_without_opening(db_path, tmp_path):
    for kind in ("truncated", "garbage"):
        make, reason = BAD_FILES[kind]
        make(db_path, tmp_path / kind)
        with pytest.raises(dataset_check.Rejected, match=reason):
            dataset_check.check_header(tmp_path / kind)
    # cut at a page boundary: the header's page count still disagrees with the size
    data = db_path.read_bytes()
    (tmp_path / "short").write_bytes(data[:4096 * 10])
    with pytest.raises(dataset_check.Rejected, match="size_mismatch"):
        dataset_check.check_header(tmp_path / "short")


# ---- in process: the worker keeps its last good dataset -----------------------------------
def rejected_count(reason):
    return REGISTRY.get_sample_value("kb_dataset_swaps_rejected_total", {"reason": reason}) or 0


def swap_in(path, make, good):
    tmp = path.with_name("incoming.sqlite")
    make(good, tmp)
    os.replace(tmp, path)


def test_rejected_files_leave_the_good_dataset_served(db_path, tmp_path, seeds_copy, caplog):
    from api.app import create_app

    served = tmp_path / "kb.sqlite"
    shutil.copyfile(db_path, served)
    good = dataset_version(db_path)
    client = create_app({"KB_DB": str(served), "TESTING": True}).test_client()
    assert client.get("/readyz").get_json()["rejected"] is None
    for kind, (make, reason) in sorted(BAD_FILES.items()):
        before = rejected_count(reason)
        caplog.clear()
        swap_in(served, make, db_path)
        inode = served.stat().st_ino
        ready = client.get("/readyz")
        body = ready.get_json()
        assert ready.status_code == 200 and body["dataset_version"] == good, kind
        assert body["rejected"]["reason"] == reason and body["rejected"]["file"] == "kb.sqlite", kind
        assert body["rejected"]["inode"] == inode and body["rejected"]["detail"]
        assert str(tmp_path) not in json.dumps(body)
        for path in MIX:
            response = client.get(path)
            assert response.status_code == 200 and response.headers["X-Dataset-Version"] == good, (kind, path)
        assert rejected_count(reason) == before + 1, kind  # checked once, however many requests came
        warnings = [r for r in caplog.records if r.name == "api.db" and r.levelname == "WARNING"]
        assert len(warnings) == 1 and reason in warnings[0].getMessage(), kind
    # a good file after the rejected ones is accepted
    (seeds_copy / "facts" / "bloomberg-2024-07-25.yaml").write_text(
        (seeds_copy / "facts" / "bloomberg-2024-07-25.yaml").read_text().replace(
            "summary: Vladimir Putin met", "summary: (new) Vladimir Putin met", 1))
    build(seeds_copy, served, progress=False)
    new = dataset_version(served)
    body = client.get("/readyz").get_json()
    assert new != good and body["dataset_version"] == new and body["rejected"] is None


def test_a_bad_file_at_startup_is_a_503_problem_that_names_the_reason(db_path, tmp_path):
    from api.app import create_app

    served = tmp_path / "kb.sqlite"
    BAD_FILES["truncated"][0](db_path, served)
    client = create_app({"KB_DB": str(served), "TESTING": True}).test_client()
    for path in ("/readyz", "/v1/facts"):
        response = client.get(path)
        assert response.status_code == 503 and response.mimetype == "application/problem+json"
        assert "size_mismatch" in response.get_json()["detail"] and str(tmp_path) not in response.get_json()["detail"]
    assert client.get("/healthz").status_code == 200
    shutil.copyfile(db_path, tmp_path / "incoming.sqlite")
    os.replace(tmp_path / "incoming.sqlite", served)
    assert client.get("/readyz").status_code == 200


def test_a_removed_file_leaves_the_good_dataset_served(db_path, tmp_path):
    from api.app import create_app

    served = tmp_path / "kb.sqlite"
    shutil.copyfile(db_path, served)
    client = create_app({"KB_DB": str(served), "TESTING": True}).test_client()
    assert client.get("/v1/facts?limit=1").status_code == 200
    served.unlink()
    body = client.get("/readyz").get_json()
    assert body["dataset_version"] == dataset_version(db_path) and body["rejected"]["reason"] == "missing"
    assert client.get("/v1/facts?limit=1").status_code == 200


def test_in_place_overwrites_are_not_served(db_path, tmp_path):
    """Same inode, new bytes: the worker serves its snapshot, never the file being written."""
    from api.app import create_app

    served = tmp_path / "kb.sqlite"
    shutil.copyfile(db_path, served)
    good = dataset_version(db_path)
    client = create_app({"KB_DB": str(served), "TESTING": True}).test_client()
    assert client.get("/v1/facts?limit=2").status_code == 200
    inode = served.stat().st_ino
    BAD_FILES["garbage"][0](db_path, tmp_path / "garbage.sqlite")
    shutil.copyfile(tmp_path / "garbage.sqlite", served)  # `cp garbage KB_DB`: truncate, write
    assert served.stat().st_ino == inode
    for path in MIX:
        response = client.get(path)
        assert response.status_code == 200 and response.headers["X-Dataset-Version"] == good, path
    with open(served, "r+b") as handle:  # a dd of random bytes into the middle of a good file
        handle.write(db_path.read_bytes())
        handle.truncate(db_path.stat().st_size)
    assert client.get("/readyz").get_json()["rejected"] is None  # the same bytes again: accepted
    with open(served, "r+b") as handle:
        handle.seek(db_path.stat().st_size // 2 // 4096 * 4096)
        handle.write(os.urandom(8 * 4096))
    body = client.get("/readyz").get_json()
    assert body["dataset_version"] == good and body["rejected"]["reason"] == "corrupt"
    assert all(client.get(path).status_code == 200 for path in MIX)


# ---- the production server under load ------------------------------------------------------
def wait_for_rejection(port, reason, timeout=10):
    """Poll /readyz until a worker names a rejection for ``reason``; returns that body."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _, body = get(port, "/readyz")
        found = json.loads(body)
        if status == 200 and (found.get("rejected") or {}).get("reason") == reason:
            return found
        time.sleep(0.02)
    raise AssertionError(f"no /readyz named a {reason} rejection within {timeout} s; last: {found}")


def test_bad_files_renamed_in_under_load_lose_no_request(db_path, tmp_path, seeds_copy):
    served = tmp_path / "kb.sqlite"
    shutil.copyfile(db_path, served)
    good = dataset_version(db_path)
    metrics, snapshots, log = tmp_path / "metrics", tmp_path / "snapshots", tmp_path / "server.log"
    metrics.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": metrics, "KB_SNAPSHOT_DIR": snapshots}
    with Server(served, workers=2, env=env, log_path=log) as server, \
            Load(server.port, [(p, {}) for p in MIX], threads=4) as load:
        load.run_on(time.monotonic(), 200)
        for kind, (make, reason) in sorted(BAD_FILES.items()):
            swap_in(served, make, db_path)
            swapped = time.monotonic()
            body = wait_for_rejection(server.port, reason)
            assert body["dataset_version"] == good and body["rejected"]["inode"] == served.stat().st_ino
            load.run_on(swapped, 300)
            after = [r for r in load.after(swapped) if r.status is not None]
            assert {r.headers.get("x-dataset-version") for r in after} == {good}, kind
        # a good file after them all is taken
        (seeds_copy / "facts" / "bloomberg-2024-07-25.yaml").write_text(
            (seeds_copy / "facts" / "bloomberg-2024-07-25.yaml").read_text().replace(
                "summary: Vladimir Putin met", "summary: (new) Vladimir Putin met", 1))
        build(seeds_copy, served, progress=False)
        new, swapped = dataset_version(served), time.monotonic()
        load.run_on(swapped, 200)
        recent = [r.headers.get("x-dataset-version") for r in load.after(swapped)[-20:]]
        assert recent and set(recent) == {new}
    failures = load.failures()
    assert failures == [], failures[:10]
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(metrics))
    counts = {reason: registry.get_sample_value("kb_dataset_swaps_rejected_total", {"reason": reason})
              for _, reason in BAD_FILES.values()}
    assert all(1 <= (n or 0) <= 2 for n in counts.values()), counts  # once per worker that saw the file
    warnings = [line for line in log.read_text().splitlines() if "rejected the dataset file" in line]
    assert 5 <= len(warnings) <= 10, warnings
    print(f"\nbad files renamed in under load: {len(load.results)} requests, 0 failed, statuses "
          f"{dict(Counter(r.status for r in load.results))}; rejections per reason (2 workers) {counts}")


def workers_that_served(folder):
    """Pids of the workers that have answered a request (each worker's own metrics file)."""
    pids = set()
    for path in Path(folder).glob("counter_*.db"):
        for metric in MultiProcessCollector.merge([str(path)], accumulate=False):
            if any(s.name == "kb_http_requests_total" and s.value for s in metric.samples):
                pids.add(int(path.stem.rsplit("_", 1)[1]))
    return pids


def test_in_place_overwrite_under_load_loses_no_request(db_path, tmp_path):
    served = tmp_path / "kb.sqlite"
    shutil.copyfile(db_path, served)
    good = dataset_version(db_path)
    garbage = tmp_path / "garbage.sqlite"
    BAD_FILES["garbage"][0](db_path, garbage)
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    with Server(served, workers=2, env={"KB_SNAPSHOT_DIR": tmp_path / "snapshots",
                                        "PROMETHEUS_MULTIPROC_DIR": metrics}) as server, \
            Load(server.port, [(p, {}) for p in MIX], threads=4) as load:
        load.run_on(time.monotonic(), 200)
        # both workers must have accepted the good file first: a worker whose first request comes
        # after the overwrite has no good dataset to fall back on (503, as at a start with a bad file)
        deadline = time.monotonic() + 20
        while len(workers_that_served(metrics)) < 2 and time.monotonic() < deadline:
            load.run_on(time.monotonic(), 50)
        assert len(workers_that_served(metrics)) == 2
        inode = served.stat().st_ino
        started = time.monotonic()
        for _ in range(3):  # cp of garbage over it (truncate, write), then dd of garbage into a good copy
            shutil.copyfile(garbage, served)
            load.run_on(time.monotonic(), 100)
            with open(served, "r+b") as handle:
                handle.write(db_path.read_bytes())
                handle.truncate(db_path.stat().st_size)
                handle.seek(db_path.stat().st_size // 2 // 4096 * 4096)
                handle.write(os.urandom(8 * 4096))
            load.run_on(time.monotonic(), 100)
        assert served.stat().st_ino == inode
    failures = load.failures()
    assert failures == [], failures[:10]
    after = load.after(started)
    assert {r.headers.get("x-dataset-version") for r in after} == {good}
    print(f"\nin-place overwrites under load: {len(after)} requests during/after them, 0 failed, all on the "
          f"last good dataset; statuses {dict(Counter(r.status for r in after))}")
