"""Faults under load, on 127.0.0.1: a Granian worker killed outright under wrk load, and a build
that runs out of disk space next to the served database."""
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from support import ROOT, SEEDS, Server, dataset_version, get, run_wrk

CONNECTIONS = 16


def children(pid):
    """Pids of the live child processes of ``pid`` (Granian's workers, for its master)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(c) for c in (task / "children").read_text().split())
    return found


def test_killed_worker_is_respawned_and_the_server_serves_on(db_path):
    with Server(db_path, workers=2, env={"ACCESS_LOG": "/dev/null"}) as server:
        deadline = time.monotonic() + 10  # ready means one worker answered; the other may still be starting
        while len(workers := children(server.proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) == 2, workers
        result = {}
        load = threading.Thread(target=lambda: result.update(
            run_wrk(server.url + "/v1/facts?limit=5", 6, connections=CONNECTIONS, threads=2, timeout="5s")))
        load.start()
        time.sleep(2)
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        while time.monotonic() - killed_at < 15:
            now = children(server.proc.pid)
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.05)
        respawned = children(server.proc.pid)
        respawn_s = time.monotonic() - killed_at
        load.join()
        after = [get(server.port, "/v1/facts?limit=5")[0] for _ in range(50)]
    print(f"\nkill -9 of worker {victim} under wrk -c{CONNECTIONS}: {result['requests']} requests, "
          f"{result['failed']} failed (errors {result['errors']}), respawned in {respawn_s:.2f} s "
          f"(workers {sorted(workers)} -> {sorted(respawned)}); 50 requests after: {set(after)}")
    assert len(respawned) == 2 and victim not in respawned, "the killed worker was not respawned"
    assert after == [200] * 50
    assert result["non_2xx_3xx"] == 0, result
    # only requests on the killed worker's connections are lost (read errors: each of its
    # connections fails, wrk reconnects, a few land on it again before the master notices):
    # bounded by a few per connection, and none once it is respawned (the 50 above)
    assert result["failed"] <= 4 * CONNECTIONS, result
    assert result["requests"] > 100


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_build_on_a_full_disk_fails_clearly_and_leaves_the_served_file(db_path, tmp_path):
    if os.geteuid() != 0:
        pytest.fail("this test mounts a small tmpfs and must run as root (it does not skip)")
    disk = tmp_path / "disk"
    disk.mkdir()
    size = os.path.getsize(db_path)
    room = (size + size // 3) // 4096 * 4096 + 4096  # the served file fits, a second copy does not
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={room}", "tmpfs", str(disk)], check=True)
    try:
        served = disk / "kb.sqlite"
        shutil.copyfile(db_path, served)
        before = digest(served)
        env = {k: v for k, v in os.environ.items() if k != "KB_DB"}
        proc = subprocess.run([sys.executable, "-m", "kb.cli", "build", "--seeds", str(SEEDS), "--db", str(served),
                               "--no-progress"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        print(f"\nkb build on a full {room // 1024} KiB tmpfs: exit {proc.returncode}; stderr:\n{proc.stderr[-2000:]}")
        after = digest(served)
        left = sorted(p.name for p in disk.iterdir())
    finally:
        subprocess.run(["umount", str(disk)], check=True)
    assert proc.returncode != 0
    assert after == before, "the served database changed"
    assert left == ["kb.sqlite"], f"the failed build left {left}"
    assert "Traceback" not in proc.stderr, "a full disk must be a clear message, not a traceback"
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 3 and any("disk" in line.lower() or "space" in line.lower() for line in lines), lines


def test_served_file_is_still_served_after_a_failed_build(db_path):
    with Server(db_path, workers=1, env={"ACCESS_LOG": "/dev/null"}) as server:
        status, headers, _ = get(server.port, "/v1")
    assert status == 200 and headers["x-dataset-version"] == dataset_version(db_path)
