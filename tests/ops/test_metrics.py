"""Prometheus metrics (api/http/observe.py, ``/metrics``): requests counted by route template and
status, summed over the workers of a live Granian server (multiprocess mode)."""
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from prometheus_client.multiprocess import MultiProcessCollector

from support import Server, dataset_version, get

N = 400
ROUTE = "/v1/facts/<fact_id>"
PATHS = ["/v1/facts/russia-tartus-port-lease", "/v1/facts/putin-assad-meeting-2024-07-24", "/v1/facts/no-such-fact"]
SAMPLE = re.compile(r'^(kb_http_requests_total|kb_http_request_duration_seconds_count)\{route="([^"]*)",status="(\d+)"\} (\S+)$')


def series(port):
    """``{(metric, route, status): value}`` of the request counts ``/metrics`` reports."""
    status, headers, body = get(port, "/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert headers["cache-control"] == "no-store" and "etag" not in headers
    found = {}
    for line in body.decode().splitlines():
        m = SAMPLE.match(line)
        if m:
            found[m.group(1), m.group(2), m.group(3)] = float(m.group(4))
    return found, body.decode()


def per_worker(folder):
    """``{pid: requests on ROUTE}`` from each worker's own counter file."""
    counts = {}
    for path in Path(folder).glob("counter_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        for metric in MultiProcessCollector.merge([str(path)], accumulate=False):
            for sample in metric.samples:
                if sample.name == "kb_http_requests_total" and sample.labels.get("route") == ROUTE:
                    counts[pid] = counts.get(pid, 0) + sample.value
    return counts


def test_requests_over_two_workers_are_counted_by_route_template(db_path, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    access_log = tmp_path / "access.log"
    with Server(db_path, workers=2, env={"ACCESS_LOG": access_log, "PROMETHEUS_MULTIPROC_DIR": folder}) as server:
        statuses = []
        for _ in range(5):  # batches of N until both workers have served some (Granian picks the worker)
            with ThreadPoolExecutor(8) as pool:
                statuses += pool.map(lambda i: get(server.port, PATHS[i % len(PATHS)])[0], range(N))
            # a count is recorded when the server closes the response, just after the client has it
            deadline = time.monotonic() + 10
            while True:
                found, text = series(server.port)
                counted = {s: v for (metric, route, s), v in found.items()
                           if metric == "kb_http_requests_total" and route == ROUTE}
                if sum(counted.values()) >= len(statuses) or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            workers = per_worker(folder)
            if len([pid for pid, n in workers.items() if n]) == 2:
                break
        expected = {"200": statuses.count(200), "404": statuses.count(404)}
        assert sum(expected.values()) == len(statuses)
    print(f"\nmetrics: {len(statuses)} requests on {ROUTE}, per worker {workers}, counted {counted}")
    assert counted == {s: float(n) for s, n in expected.items() if n}
    histogram = {s: v for (metric, route, s), v in found.items()
                 if metric == "kb_http_request_duration_seconds_count" and route == ROUTE}
    assert histogram == counted
    assert len([pid for pid, n in workers.items() if n]) == 2, workers  # both workers served some
    assert sum(workers.values()) == len(statuses)
    # route templates only, never raw paths
    assert not [route for (_, route, _) in found if "russia" in route or "no-such" in route]
    assert f'kb_dataset_info{{version="{dataset_version(db_path)}"}} 1.0' in text
    # the access log file both workers append to: one whole JSON object per line, one per request
    entries = [json.loads(line) for line in access_log.read_text().splitlines()]
    mine = [e for e in entries if e["path"].startswith("/v1/facts/")]
    assert len(mine) == len(statuses) and {e["status"] for e in mine} <= {200, 404}
    assert all(e["request_id"] and e["duration_ms"] >= 0 for e in mine)
