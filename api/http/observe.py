"""What the app reports about the requests it serves, whatever server runs it: the JSON access
log and the Prometheus metrics, both written by one WSGI middleware at the app's entry point,
around everything else (so the 304s and the refusals of :mod:`api.http.protocol` are logged and
counted too), and ``/metrics``.

Access log (``ACCESS_LOG``: a file path, or ``-`` for stdout; unset: none): one JSON object per
request and line, written with a single ``write`` on an ``O_APPEND`` descriptor, so the lines
of several worker processes never interleave: time, remote, method, path, query, status, bytes,
duration_ms (until the body is sent), request_id, dataset_version, user_agent.

Metrics (``prometheus_client``): with ``PROMETHEUS_MULTIPROC_DIR`` set (deploy/serve.py sets
it), every worker process writes its values to files there and ``/metrics`` sums them over the
workers, so any worker's answer covers the whole server; without it, this process's own values.
``/metrics`` exports every metric of the registry (those of other modules, such as
``api.dataset.swaps``'s, appear by being defined); the ones defined here:

- ``kb_http_requests_total{route, status}``: requests answered, by route TEMPLATE
  (``/v1/facts/<fact_id>``; ``<unmatched>`` when no route matches) and status;
- ``kb_http_request_duration_seconds{route, status}``: their latency histogram;
- ``kb_dataset_info{version}``: 1 for each dataset version a live worker last served.
"""
import functools
import os
import re
import time

import orjson
import prometheus_client
from flask import Flask, Request, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import ClosingIterator

from ..dataset.db import DATASET

UNMATCHED = "<unmatched>"
METRICS_PATH = "/metrics"
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

REQUESTS = Counter("kb_http_requests", "HTTP requests answered, by route template and status",
                   ["route", "status"])
LATENCY = Histogram("kb_http_request_duration_seconds", "Time to answer a request, body included, by route "
                    "template and status", ["route", "status"], buckets=BUCKETS)
DATASET_INFO = Gauge("kb_dataset_info", "1 for the dataset version this worker served last",
                     ["version"], multiprocess_mode="livemax")


@functools.lru_cache(maxsize=256)
def template(rule):
    """A route's template as clients know it: ``/v1/facts/<slug:fact_id>`` -> ``/v1/facts/<fact_id>``."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>:]+)>", r"<\1>", rule)


@functools.lru_cache(maxsize=2)
def _now(second):
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(second))


def multiprocess_dir():
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def _forget_dead_workers(folder):
    """Drop the live-gauge files of worker processes that are gone (killed and respawned), so
    ``kb_dataset_info`` shows only what live workers serve. Counters keep their files: a dead
    worker's requests still count."""
    for name in os.listdir(folder):
        if name.startswith("gauge_live") and name.endswith(".db"):
            pid = int(name.rsplit("_", 1)[1][:-3])
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                multiprocess.mark_process_dead(pid, folder)
            except PermissionError:
                pass


def exposition():
    """``(body, content type)`` of every registered metric, summed over the workers."""
    folder = multiprocess_dir()
    if not folder:
        return prometheus_client.generate_latest(), prometheus_client.CONTENT_TYPE_LATEST
    _forget_dead_workers(folder)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=folder)
    return prometheus_client.generate_latest(registry), prometheus_client.CONTENT_TYPE_LATEST


def _log_writer(target):
    """A function writing one line to ``target`` (``-``: stdout), or None when there is none."""
    if not target:
        return None
    fd = 1 if target == "-" else os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(line):
        try:
            os.write(fd, line)
        except OSError:
            pass  # a log line must never break a response
    return write


class Observe:
    """WSGI middleware: the access log and the request metrics of every request (see above)."""

    def __init__(self, wsgi_app, app, access_log=None):
        self.wsgi_app = wsgi_app
        self.app = app
        self.write = _log_writer(access_log if access_log is not None else os.environ.get("ACCESS_LOG"))
        self.version = None  # the dataset version this process served last
        self.metrics = {}  # (route template, status) -> (its counter, its histogram)

    @functools.lru_cache(maxsize=2048)
    def _match(self, method, path):
        """The route template of a request Flask did not route (a 304 answered early, a refusal)."""
        try:
            rule, _ = self.app.url_map.bind("localhost").match(path, method=method, return_rule=True)
        except HTTPException:
            return UNMATCHED
        except Exception:  # noqa: BLE001 - a malformed path has no route
            return UNMATCHED
        return template(rule.rule)

    def route(self, environ):
        request = environ.get("werkzeug.request")
        if isinstance(request, Request):  # Flask routed it
            return template(request.url_rule.rule) if request.url_rule is not None else UNMATCHED
        return self._match(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "") or "/")

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        seen = {}

        def start(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        def finish():
            duration = time.perf_counter() - started
            status = seen.get("status", "500")[:3]
            key = (self.route(environ), status)
            metrics = self.metrics.get(key)
            if metrics is None:  # prometheus_client's labels() checks and locks on every call
                metrics = self.metrics[key] = (REQUESTS.labels(*key), LATENCY.labels(*key))
            metrics[0].inc()
            metrics[1].observe(duration)
            db = environ.get(DATASET)
            if db is not None and db.version != self.version:
                if self.version is not None:
                    DATASET_INFO.labels(self.version).set(0)
                DATASET_INFO.labels(db.version).set(1)
                self.version = db.version
            if self.write:
                try:
                    line = self.record(environ, status, seen.get("headers") or [], duration)
                except (TypeError, ValueError):  # a log line must never break a response
                    line = b'{"error": "unloggable request"}\n'
                self.write(line)

        return ClosingIterator(self.wsgi_app(environ, start), finish)

    @staticmethod
    def record(environ, status, headers, duration):
        found = {}
        for name, value in headers:
            low = name.lower()
            if low in ("x-request-id", "x-dataset-version", "content-length"):
                found[low] = value
        entry = {
            "time": _now(int(time.time())),
            "remote": environ.get("REMOTE_ADDR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO", "")[:1024],
            "query": environ.get("QUERY_STRING", "")[:512],
            "status": int(status),
            "bytes": int(found["content-length"]) if "content-length" in found else None,
            "duration_ms": round(duration * 1000, 3),
            "request_id": found.get("x-request-id"),
            "dataset_version": found.get("x-dataset-version"),
            "user_agent": environ.get("HTTP_USER_AGENT", "")[:256],
        }
        return orjson.dumps(entry, default=str) + b"\n"


def _metrics():
    body, content_type = exposition()
    return Response(body, content_type=content_type)


class ObservedFlask(Flask):
    """Flask whose WSGI entry point runs :class:`Observe` around ``wsgi_app`` (the protocol layer
    and Flask), looked up at each call: ``app.wsgi_app`` stays the stack it was, for whoever
    wraps or inspects it."""

    observe = None

    def __call__(self, environ, start_response):
        if self.observe is None:
            return self.wsgi_app(environ, start_response)
        return self.observe(environ, start_response)


def install(app):
    """``/metrics`` (a plain route: not part of the API's OpenAPI contract), and :class:`Observe`
    at the app's WSGI entry point (``app`` is an :class:`ObservedFlask`)."""
    app.add_url_rule(METRICS_PATH, "metrics", _metrics, methods=["GET"])
    app.observe = Observe(lambda environ, start_response: app.wsgi_app(environ, start_response), app)
