"""Hostile input: every request gets a 4xx problem document (or, for free-text search, a
normal answer), never a 5xx, and fast."""
import json
import re
import socket
import time

import pytest

from support import Server

SQLI = ["' OR '1'='1", "1; DROP TABLE facts; --", '" OR 1=1 --', "x' UNION SELECT value FROM meta --"]
# (path, parameter) for every constrained string parameter: injection must be refused as 400
CONSTRAINED = [("/v1/facts", "entity"), ("/v1/facts", "source"), ("/v1/facts", "type"), ("/v1/facts", "status"),
               ("/v1/facts", "from"), ("/v1/facts", "to"), ("/v1/facts", "as_of"), ("/v1/facts", "sort"),
               ("/v1/facts", "format"), ("/v1/facts", "cursor"), ("/v1/meetings", "participant"),
               ("/v1/troop-deployments", "country"), ("/v1/leases", "lessee"), ("/v1/events", "kind"),
               ("/v1/statements", "speaker"), ("/v1/positions", "organization"), ("/v1/entities", "type"),
               ("/v1/search", "kind")]
# Free text is searched, never executed: any words in it are looked up, punctuation is dropped
# (text with no word at all conforms to the schema but cannot be searched: 422, api.blueprint.UNPROCESSABLE).
FREE_TEXT = [("/v1/facts", "q"), ("/v1/entities", "q"), ("/v1/search", "q")]
FTS_SYNTAX = ['"', "*", "NEAR(", "-", "^", "putin NEAR(assad", '"unterminated', "assad*", "a OR b AND NOT c",
              "{title}: x", "col:assad", "(", ")", "-putin", "^assad"]
CASES = (
    [(f"{path}?{param}={payload}", 400, param) for path, param in CONSTRAINED for payload in SQLI]
    + [(f"{path}?{param}={payload}", (200, 400), None) for path, param in FREE_TEXT for payload in SQLI]
    + [(f"/v1/search?q={payload}", (200, 422), None) for payload in FTS_SYNTAX]
    + [(f"/v1/facts?limit={value}", 400, "limit") for value in
       ["-1", "0", "101", "99999999999999999999999999", "-99999999999999999999", "1e3", "0x10", "NaN", "", "5.5"]]
    + [("/v1/facts?q=" + "a" * 5_000, 400, "q"), ("/v1/facts?entity=" + "a" * 5_000, 400, "entity"),
       ("/v1/facts?cursor=" + "A" * 5_000, 400, "cursor"), ("/v1/facts/" + "a" * 5_000, 404, None),
       # over the request-target limit (api/http/limits.py: 8190 bytes)
       ("/v1/facts?q=" + "a" * 10_000, 414, None), ("/v1/facts/" + "a" * 10_000, 414, None),
       ("/v1/facts?q=%00%01%02", 422, "q"), ("/v1/facts?entity=putin%00", 400, "entity"),
       ("/v1/facts/%00", 404, None), ("/v1/facts?q=%FF%FE", 400, None), ("/v1/facts/%FF%FE%FD", (400, 404), None),
       ("/v1/entities/%C0%AF..%C0%AF", (400, 404), None), ("/v1/facts?from=%FF", 400, None),
       ("/v1/facts?cursor=eyJ4IjoxfQ.AAAA", 422, "cursor"), ("/v1/facts?cursor=.", 400, "cursor"),
       ("/v1/facts?limit=5&limit=6", 400, "limit"), ("/v1/facts?sort=date&sort=-date", 400, "sort"),
       ("/v1/facts?entity=" + "&entity=".join(["syria"] * 11), 400, "entity"),
       ("/v1/facts?password=x", 400, "password"), ("/v1/facts?limit=5&__proto__=1", 400, "__proto__"),
       ("/v1/../etc/passwd", 404, None), ("/v1/facts?type[]=meeting", 400, "type[]")]
)


def test_corpus_is_large():
    assert len(CASES) >= 40


@pytest.mark.parametrize("url, expected, param", CASES, ids=[f"{i}" for i in range(len(CASES))])
def test_hostile_request_gets_a_problem_not_a_crash(client, url, expected, param):
    started = time.monotonic()
    response = client.get(url)
    elapsed = time.monotonic() - started
    allowed = expected if isinstance(expected, tuple) else (expected,)
    assert response.status_code in allowed, (url[:120], response.status_code, response.get_data(as_text=True)[:300])
    assert elapsed < 1.0
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
        body = response.get_json()
        assert body["status"] == response.status_code
        if param:
            assert param in body.get("errors", {}), body


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND"])
def test_wrong_methods(client, method):
    response = client.open("/v1/facts", method=method)
    assert response.status_code == 405 and response.mimetype == "application/problem+json"


def test_database_survives_the_corpus(client, db_rows):
    assert db_rows("SELECT count(*) FROM facts")[0][0] == client.get("/v1").get_json()["counts"]["facts"]


def test_pathological_query_hits_the_time_limit(db_path):
    from api.app import create_app

    client = create_app({"KB_DB": str(db_path), "QUERY_TIME_LIMIT_MS": 0}).test_client()
    response = client.get("/v1/search?q=a")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("/query-too-expensive")


def head(n, size=1):
    """A request with ``n`` header fields of ``size`` bytes each, after Host."""
    return (b"GET /v1 HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: %s\r\n" % (i, b"a" * size) for i in range(n))
            + b"\r\n")


# Raw requests the app answers itself, with a problem document: the size limits of
# api/http/limits.py (request target 8190 bytes, 50 header fields, 8190 bytes per field),
# below Granian's buffer (deploy/serve.py HTTP1_BUFFER), and the other refusals.
RAW = [
    (b"GET /v1/facts?q=" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET /v1?" + b"a" * 60_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET /v1 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10_000 + b"\r\n\r\n", 431),
    (b"GET /v1 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 400_000 + b"\r\n\r\n", 431),
    (head(80), 431),
    (head(99), 431),
    (head(60, 7000), 431),
    (b"BREW /v1/facts HTTP/1.1\r\nHost: x\r\n\r\n", 405),
    (b"GET /v1/facts?limit=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", 413),
    (b"GET /v1/facts/%FF%FE HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET * HTTP/1.1\r\nHost: x\r\n\r\n", 404),
]
# The requests Granian refuses as malformed HTTP before any app code runs (README, "Limits"):
# they get Granian's own answer, a status line with an empty body (never HTML), and nothing else.
GRANIAN_REFUSED = [
    (b"GET /v1/facts/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # raw bytes outside ASCII in the target
    (b"GET /v1/facts?q=\xff\xfe\xfd HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /v1/facts?entity=\x01\x02 HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # control bytes in the target
    (b"GET /v1\x00 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /v1/facts HTTP/9.9\r\nHost: x\r\n\r\n", 400),  # an HTTP version other than 1.0 / 1.1
    (b"GET  /v1 HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # a malformed request line
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /v1 HTTP/1.1\r\nHost: x\r\nBad Header: v\r\n\r\n", 400),  # a malformed header field
    (b"GET /v1 HTTP/1.1\r\nHost: x\r\nX-A: \x01\r\n\r\n", 400),
    (b"GET /v1 HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),  # an invalid body framing
    (b"GET /v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
    (b"GET /v1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
    (b"GET /v1?" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),  # a target of 64 KiB or more
    (head(100), 431),  # 100 header fields or more
    (b"GET /v1 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 600_000 + b"\r\n\r\n", 431),  # a head over 512 KiB
]


def exchange(port, raw):
    """Send ``raw`` on a new connection; ``(status, head, body)`` of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(raw)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length: *(\d+)", head)
            if length and len(body) >= int(length.group(1)):
                break  # the whole answer: do not wait for a kept-alive connection to close
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head, body


@pytest.fixture(scope="module")
def raw_server(db_path):
    with Server(db_path, workers=1, env={"ACCESS_LOG": "/dev/null"}) as server:
        yield server


@pytest.mark.parametrize("raw, expected", RAW, ids=[f"{i}" for i in range(len(RAW))])
def test_raw_http_abuse_gets_problem_documents(raw_server, raw, expected):
    status, head, body = exchange(raw_server.port, raw)
    assert status == expected, (raw[:60], head[:200])
    assert b"content-type: application/problem+json" in head.lower(), (raw[:60], head[:300])
    assert json.loads(body)["status"] == expected


@pytest.mark.parametrize("raw, expected", GRANIAN_REFUSED, ids=[f"{i}" for i in range(len(GRANIAN_REFUSED))])
def test_malformed_http_refused_by_granian_with_a_bare_status(raw_server, raw, expected):
    status, head, body = exchange(raw_server.port, raw)
    assert status == expected, (raw[:60], head[:200])
    assert body == b"" and b"<html" not in body.lower(), (raw[:60], body[:200])


def test_the_server_still_answers_after_the_abuse(raw_server):
    assert exchange(raw_server.port, b"GET /v1 HTTP/1.1\r\nHost: x\r\n\r\n")[0] == 200
