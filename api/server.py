"""gunicorn integration (used by deploy/gunicorn.conf.py): JSON access logs, and problem
documents instead of gunicorn's own HTML pages for requests it refuses before the app runs
(request line or headers too large, malformed requests)."""
import json
import time

from gunicorn import util
from gunicorn.glogging import Logger


class JsonLogger(Logger):
    """One JSON object per request on the access log, carrying the request id."""

    def access(self, resp, req, environ, request_time):
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.syslog):
            return
        headers = dict((name.lower(), value) for name, value in (resp.headers or []))
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "remote": environ.get("REMOTE_ADDR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING", "")[:512],
            "status": resp.status_code if hasattr(resp, "status_code") else str(resp.status).split()[0],
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "request_id": headers.get("x-request-id"),
            "dataset_version": headers.get("x-dataset-version"),
            "user_agent": environ.get("HTTP_USER_AGENT", "")[:256],
        }
        try:
            self.access_log.info(json.dumps(record, ensure_ascii=False, default=str))
        except Exception:  # a log line must never break a response  # noqa: BLE001
            self.exception("cannot write access log")


_REASONS = {400: "Bad Request", 403: "Forbidden", 414: "URI Too Long", 417: "Expectation Failed",
            431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented"}


def write_problem(sock, status_int, reason, mesg):
    """Replacement for ``gunicorn.util.write_error``: same status, RFC 9457 body, no HTML."""
    body = json.dumps({
        "type": "https://syria-kb.example/problems/" + str(status_int),
        "title": reason or _REASONS.get(status_int, "Bad Request"),
        "status": status_int,
        "detail": "The server refused the request before reading it: " + (
            "the request line or a header is too large." if status_int in (414, 431) else "it is malformed."),
    }).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n"
            "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n\r\n").encode("latin1")
    util.write_nonblock(sock, head + body)


def install():
    util.write_error = write_problem
