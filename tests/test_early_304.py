"""Conditional GETs are answered 304 by the WSGI layer (api.protocol.Protocol, the only place
that decides a 304) before Flask builds a request. A 304 must carry the protocol headers of
the 200 the same request gets, for matching, weak, starred and listed ETags, HEAD, Accept
variants, percent-encoded query strings and paths that are no route; an ETag that does not
match changes nothing in the answer, which Flask gives."""
import pytest

from api import create_app
from api.protocol import etag_for

REQUEST_ID = "trace-304"
# the headers of a 304: the protocol's (no entity headers, no Link, no Last-Modified)
HEADERS_304 = {"X-Request-Id", "X-Content-Type-Options", "Referrer-Policy", "Access-Control-Allow-Origin",
               "Access-Control-Expose-Headers", "X-Replica", "X-Dataset-Version", "ETag", "Cache-Control", "Vary"}


@pytest.fixture(scope="module")
def app_calls(db_path):
    app = create_app({"KB_DB": str(db_path), "TESTING": True, "REPLICA_ID": "r9"})
    calls = []
    inner = app.wsgi_app.wsgi_app
    app.wsgi_app.wsgi_app = lambda environ, start: calls.append(environ["PATH_INFO"]) or inner(environ, start)
    return app, calls


def _answer(app, method, path, headers):
    response = app.test_client().open(path, method=method, headers={"X-Request-Id": REQUEST_ID, **headers})
    return response.status_code, sorted((k, v) for k, v in response.headers.items() if k != "Date"), response.data


@pytest.mark.parametrize("path", ["/v1/facts/putin-assad-meeting-2024-07-24", "/v1/facts?limit=2",
                                  "/v1/meetings?participant=vladimir-putin", "/v1", "/v1/no-such-thing",
                                  "/v1/search?q=assad", "/openapi.json", "/v1/facts?q=%C3%A9lection"])
@pytest.mark.parametrize("accept", [None, "text/csv"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_early_304(app_calls, path, accept, method):
    app, calls = app_calls
    base = {"Accept": accept} if accept else {}
    full_path = path if "?" in path else path + "?"
    etag = f'"{etag_for(app.extensions["kb_db"].current().version, full_path, accept or "")}"'
    plain = _answer(app, method, path, base)
    if plain[0] == 200:
        assert dict(plain[1])["ETag"] == etag
    for inm, matches in [(etag, True), (f'W/{etag}', False), (f'"nope", {etag}', True), ("*", True),
                         ('"nope"', False), (f"{etag[:-2]}\"", False)]:
        calls.clear()
        got = _answer(app, method, path, {**base, "If-None-Match": inm})
        if not matches:
            assert got == plain and calls == [path.split("?")[0]], inm
            continue
        assert got[0] == 304 and not got[2] and not calls, ("answered by Flask, not by the WSGI layer", inm)
        assert {name for name, _ in got[1]} == HEADERS_304 and ("ETag", etag) in got[1]
        assert ("X-Request-Id", REQUEST_ID) in got[1]
        if plain[0] == 200:
            assert set(got[1]) <= set(plain[1])


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_never_cached_paths_go_to_flask(app_calls, path):
    app, calls = app_calls
    calls.clear()
    got = _answer(app, "GET", path, {"If-None-Match": "*"})
    assert calls and got[0] == 200 and ("Cache-Control", "no-store") in got[1]


@pytest.mark.parametrize("path", ["/v1/facts?q=%FF", "/v1/facts?q=%C3%A9%FF&limit=2"])
def test_malformed_requests_are_refused_before_flask(app_calls, path):
    """A path or query string that is not UTF-8 is a 400 problem, ETag or not."""
    app, calls = app_calls
    for headers in [{}, {"If-None-Match": "*"}]:
        calls.clear()
        got = app.test_client().get(path, headers=headers)
        assert not calls and got.status_code == 400 and got.mimetype == "application/problem+json"
        assert got.get_json()["detail"] == "The path or query string is not valid UTF-8."
