"""Conditional GETs are answered 304 by the WSGI layer (api.caching.Protocol) before Flask
builds a request: the answer must be exactly the one Flask's own hook gives (status, headers,
empty body), for matching, weak, starred and listed ETags, HEAD, Accept variants and paths
that are no route; anything else goes on to Flask."""
import pytest

from api import create_app
from api.protocol import etag_for

REQUEST_ID = "trace-304"


@pytest.fixture(scope="module")
def apps(db_path):
    fast = create_app({"KB_DB": str(db_path), "TESTING": True, "REPLICA_ID": "r9"})
    slow = create_app({"KB_DB": str(db_path), "TESTING": True, "REPLICA_ID": "r9"})
    slow.wsgi_app.fast_304 = False
    calls = []
    inner = fast.wsgi_app.wsgi_app
    fast.wsgi_app.wsgi_app = lambda environ, start: calls.append(environ["PATH_INFO"]) or inner(environ, start)
    return fast, slow, calls


def _answer(app, method, path, headers):
    response = app.test_client().open(path, method=method, headers={"X-Request-Id": REQUEST_ID, **headers})
    return response.status_code, sorted((k, v) for k, v in response.headers.items() if k != "Date"), response.data


@pytest.mark.parametrize("path", ["/v1/facts/putin-assad-meeting-2024-07-24", "/v1/facts?limit=2",
                                  "/v1/meetings?participant=vladimir-putin", "/v1", "/v1/no-such-thing",
                                  "/v1/search?q=assad", "/openapi.json"])
@pytest.mark.parametrize("accept", [None, "text/csv"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_early_304_is_flasks_304(apps, path, accept, method):
    fast, slow, calls = apps
    base = {"Accept": accept} if accept else {}
    full_path = path if "?" in path else path + "?"
    etag = f'"{etag_for(slow.extensions["kb_db"].current().version, full_path, accept or "")}"'
    if path != "/v1/no-such-thing":
        assert slow.test_client().get(path, headers=base).headers["ETag"] == etag
    for inm in [etag, f'W/{etag}', f'"nope", {etag}', "*", '"nope"', f"{etag[:-2]}\""]:
        headers = {**base, "If-None-Match": inm}
        calls.clear()
        got, want = _answer(fast, method, path, headers), _answer(slow, method, path, headers)
        assert got == want, (inm, got, want)
        if want[0] == 304:
            assert not calls, "answered by Flask, not by the WSGI layer"
            assert ("ETag", etag) in want[1] and ("X-Request-Id", REQUEST_ID) in want[1] and not want[2]
        else:
            assert calls == [path.split("?")[0]]


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/v1/facts?q=%C3%A9lection", "/v1/facts?q=%FF"])
def test_left_to_flask(apps, path):
    """Never cached paths, and query strings the WSGI layer does not decode, go to Flask."""
    fast, slow, calls = apps
    calls.clear()
    got = _answer(fast, "GET", path, {"If-None-Match": "*"})
    assert calls and got == _answer(slow, "GET", path, {"If-None-Match": "*"})
