"""Reads through nginx (cached and uncached) next to the single gunicorn server, with wrk.

    python bench/cluster_bench.py [--db var/kb.sqlite] [--seconds 5] [--connections 16]
                                  [--out docs/benchmarks.md | --no-write]

Three rows, one URL (``GET /v1/facts?limit=20``), run one after another on 127.0.0.1:

* the single server as `make serve` runs it (gunicorn, 2 sync workers), queried directly;
* nginx in front of 3 replicas (deploy/cluster.py, 1 worker x 4 threads each), the same URL
  repeated: served from nginx's cache (X-Cache-Status: HIT);
* the same cluster with ``Cache-Control: no-cache`` on every request: nginx bypasses its cache
  (BYPASS) and every request is answered by a replica, round-robin.

The cache status of every request nginx answered is counted from its access log. The result
replaces the ``## Cluster`` section of docs/benchmarks.md (other sections are left as they
are). wrk shares the machine's cores with nginx and the servers: compare rows of one run.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/cluster_bench.py` as well as `python -m bench.cluster_bench`
from deploy import cluster as cluster_mod  # noqa: E402
from deploy.publish import dataset_version  # noqa: E402

PATH = "/v1/facts?limit=20"
SECTION = "## Cluster"


def wrk_binary():
    path = shutil.which("wrk")
    if not path:
        sys.exit("wrk is not installed: run `make install-wrk` (as root it installs the Debian package)")
    return path


def _ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output):
    """Requests/sec, p50/p99 latency (ms), requests, errors (socket errors + non-2xx/3xx)."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    lat = {p: _ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)}
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", output) or [0, 0])[1])
    return {"rps": rps, "requests": requests, "p50": lat.get("50"), "p99": lat.get("99"),
            "errors": socket_errors + non_2xx}


def run_wrk(url, seconds, connections, threads, headers=()):
    cmd = [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency"]
    for header in headers:
        cmd += ["-H", header]
    result = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed: {result.stderr}")
    return parse_wrk(result.stdout)


class AccessLog:
    """Counts nginx's cache statuses written to its access log since the last mark."""

    def __init__(self, path):
        self.path = Path(path)
        self.offset = 0

    def mark(self):
        time.sleep(1.2)  # the log is buffered with flush=1s
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def since_mark(self):
        time.sleep(1.2)
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            lines = f.read().splitlines()
        return Counter(json.loads(line)["cache"] or "-" for line in lines if line.strip())


def measure(label, url, args, headers=(), log=None):
    run_wrk(url, 1, args.connections, args.threads, headers)  # warm-up (and fill the cache)
    if log:
        log.mark()
    row = run_wrk(url, args.seconds, args.connections, args.threads, headers)
    row["label"] = label
    if log:
        statuses = log.since_mark()
        total = sum(statuses.values()) or 1
        row["cache"] = ", ".join(f"{100 * n / total:.1f}% {status}" for status, n in statuses.most_common())
        row["hit_ratio"] = statuses.get("HIT", 0) / total
    print(f"  {label}: {row['rps']:.0f} req/s, p50 {row['p50']:.2f} ms, p99 {row['p99']:.2f} ms, "
          f"{row['errors']} errors{', ' + row['cache'] if log else ''}", flush=True)
    return row


def bench_single(db, args, workdir):
    port = cluster_mod.free_ports(0)[0]
    env = {**os.environ, "KB_DB": str(db), "HOST": "127.0.0.1", "PORT": str(port), "WEB_WORKERS": "2",
           "WEB_THREADS": "1", "ACCESS_LOG": "/dev/null"}
    with open(workdir / "single.log", "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                                 "api:create_app()"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the single server did not start; see {workdir / 'single.log'}")
                time.sleep(0.1)
        return measure("single gunicorn, 2 sync workers, direct (`make serve`)",
                       f"http://127.0.0.1:{port}{PATH}", args)
    finally:
        proc.terminate()
        proc.wait(20)


def bench_cluster(db, args, workdir):
    port, base_port, *_ = cluster_mod.free_ports(args.replicas)
    cluster = cluster_mod.Cluster(workdir / "cluster", port=port, replicas=args.replicas, base_port=base_port,
                                  workers=1, threads=4, rate="100000r/s", burst=100000, rate_all="100000r/s",
                                  burst_all=100000)  # one client address: no rate limits
    cluster.start(db)
    try:
        log = AccessLog(cluster.prefix / "logs" / "access.log")
        url = f"http://127.0.0.1:{cluster.port}{PATH}"
        n = args.replicas
        cached = measure(f"nginx → {n} replicas (1 worker × 4 threads), cached", url, args, log=log)
        uncached = measure(f"nginx → {n} replicas, uncached (`Cache-Control: no-cache`)", url, args,
                           headers=["Cache-Control: no-cache"], log=log)
        return cached, uncached
    finally:
        cluster.stop()


def replace_section(text, heading, body):
    """``text`` with the section under ``heading`` (up to the next ``## `` heading) replaced by
    ``body``, or ``body`` appended when there is no such section."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == heading), None)
    if start is None:
        if not text.strip():
            text = "# Benchmarks\n"
        return text.rstrip("\n") + "\n\n" + body.rstrip("\n") + "\n"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + body.rstrip("\n") + "\n" + ("\n" + tail if tail else "")


def write_section(path, body):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text() if path.exists() else ""
    new = replace_section(old, SECTION, body)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(new)
    os.replace(tmp, path)


def render(rows, args, db_version):
    single, cached, uncached = rows
    fmt = lambda v: f"{v:.2f}" if v is not None else "–"  # noqa: E731
    table = ["| Setup | req/s | p50 ms | p99 ms | errors | nginx cache status |", "|---|---:|---:|---:|---:|---|"]
    for row in rows:
        table.append(f"| {row['label']} | {row['rps']:,.0f} | {fmt(row['p50'])} | {fmt(row['p99'])} | "
                     f"{row['errors']} | {row.get('cache', '–')} |")
    today = datetime.date.today().isoformat()
    return "\n".join([
        SECTION,
        "",
        f"`make bench-cluster` (bench/cluster_bench.py), {today}, {os.cpu_count()} cores, dataset "
        f"`{db_version[:16]}`: wrk `-t{args.threads} -c{args.connections} -d{args.seconds}s` on "
        f"`GET {PATH}` after a 1 s warm-up, each setup alone on 127.0.0.1 (load average "
        f"{args.load:.1f} when it started). wrk, nginx and every gunicorn share the same cores, so only "
        "the ratios within one run mean anything.",
        "",
        *table,
        "",
        f"Cached reads through nginx: {cached['rps'] / single['rps']:.1f}× the single server "
        f"(cache HIT ratio {100 * cached['hit_ratio']:.1f}%). Uncached reads through nginx: "
        f"{uncached['rps'] / single['rps']:.2f}× the single server. "
        + ("On one machine the replicas share the cores that the single server had to itself, so "
           "without the cache the extra hop costs throughput instead of adding it; replicas add capacity "
           "when each has its own host (docs/deploy.md)." if uncached["rps"] < single["rps"] else
           "The replicas run more processes on the same cores than the single server, which is where "
           "their edge comes from here; on real hosts each replica brings its own cores (docs/deploy.md)."),
        "",
    ])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("KB_DB", "var/kb.sqlite"))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "5")))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    args = parser.parse_args(argv)

    db = Path(args.db).resolve()
    if not db.is_file():
        sys.exit(f"{db} does not exist (make db builds it)")
    wrk_binary()
    cluster_mod.find_nginx()
    version = dataset_version(db)
    args.load = os.getloadavg()[0]
    print(f"cluster benchmark: wrk -t{args.threads} -c{args.connections} -d{args.seconds}s GET {PATH}", flush=True)
    with tempfile.TemporaryDirectory(prefix="kb-cluster-bench-") as tmp:
        workdir = Path(tmp)
        single = bench_single(db, args, workdir)
        cached, uncached = bench_cluster(db, args, workdir)
    section = render([single, cached, uncached], args, version)
    if args.no_write:
        print(section)
    else:
        write_section(args.out, section)
        print(f"wrote the {SECTION!r} section of {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
