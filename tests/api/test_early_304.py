"""Conditional requests, stated as the cases of RFC 9110 (section 13 and 15.4.5), all decided by
the WSGI layer (api.http.protocol.Protocol, the only place that makes a 304):

- If-None-Match: weak comparison (13.1.2: ``W/"x"`` matches ``"x"``), lists, ``*`` (true when the
  resource has a current representation: a 404 stays a 404), a tag of another URL or Accept.
  A matching tag is answered before Flask builds a request (no routing, no view, no query).
- If-Modified-Since: 304 when the dataset (Last-Modified = its ``built_at``) is not newer,
  evaluated only without If-None-Match (13.2.2), ignored when not an HTTP-date (13.1.3) or when
  the answer would not be a 200 (13.2.1).
- HEAD: the same status and headers as GET, no body (9.3.2), conditional or not.
- A 304 carries the 200's ETag, Cache-Control and Vary (15.4.5), and the protocol headers.
- Validators: the ETag covers the dataset version and the representation version (info.version
  and a hash of spec and code); Vary is Accept only.
"""
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest

from api.app import create_app
from api.http.protocol import etag_for, representation_version

REQUEST_ID = "trace-304"
# the headers of a 304: the protocol's (no entity headers, no Link, no Last-Modified)
HEADERS_304 = {"X-Request-Id", "X-Content-Type-Options", "Referrer-Policy", "Access-Control-Allow-Origin",
               "Access-Control-Expose-Headers", "X-Replica", "X-Dataset-Version", "ETag", "Cache-Control", "Vary"}
PATHS = ["/v1/facts/putin-assad-meeting-2024-07-24", "/v1/facts?limit=2", "/v1/meetings?participant=vladimir-putin",
         "/v1", "/v1/search?q=assad", "/openapi.json", "/v1/facts?q=%C3%A9lection", "/v1/events?format=csv"]
MISSING = ["/v1/no-such-thing", "/v1/entities/nobody-at-all", "/v1/facts?entity=nobody-at-all"]


@pytest.fixture(scope="module")
def app_calls(db_path):
    """The app, and the paths of the requests that reached Flask (not answered by Protocol alone)."""
    app = create_app({"KB_DB": str(db_path), "TESTING": True, "REPLICA_ID": "r9"})
    calls = []
    inner = app.wsgi_app.wsgi_app
    app.wsgi_app.wsgi_app = lambda environ, start: calls.append(environ["PATH_INFO"]) or inner(environ, start)
    return app, calls


def _answer(app, method, path, headers=None):
    response = app.test_client().open(path, method=method, headers={"X-Request-Id": REQUEST_ID, **(headers or {})})
    return response.status_code, {k: v for k, v in response.headers.items() if k != "Date"}, response.data


def _expected_etag(app, path, accept=""):
    full_path = path if "?" in path else path + "?"
    db = app.extensions["kb_db"].current()
    # the test client's requests come to http://localhost: the public base URL of their answers
    return f'"{etag_for(db.version, app.wsgi_app.representation, full_path, accept, "http://localhost")}"'


def _assert_304_of(got, plain, etag):
    status, headers, body = got
    assert status == 304 and body == b"", got
    assert set(headers) == HEADERS_304 and headers["ETag"] == etag and headers["X-Request-Id"] == REQUEST_ID
    for name in ("ETag", "Cache-Control", "Vary", "X-Dataset-Version"):  # RFC 9110 15.4.5: as the 200 would
        assert headers[name] == plain[1][name], name


def _date(dt):
    return format_datetime(dt, usegmt=True)


# ---- If-None-Match ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_none_match_weak_comparison_and_lists(app_calls, path, method):
    app, calls = app_calls
    plain = _answer(app, method, path)
    etag = _expected_etag(app, path)
    assert plain[0] == 200 and plain[1]["ETag"] == etag
    opaque = etag.strip('"')
    matching = [etag,                                  # the strong tag itself
                f"W/{etag}",                           # weak comparison: W/"x" matches "x"
                f'"nope", {etag}',                     # any member of a list
                f'W/"nope",W/{etag} , "other"',        # list with weak members, odd spacing
                ]
    for if_none_match in matching:
        calls.clear()
        got = _answer(app, method, path, {"If-None-Match": if_none_match})
        _assert_304_of(got, plain, etag)
        assert not calls, ("answered by Flask, not early by the WSGI layer", if_none_match)
    not_matching = ['"nope"', 'W/"nope"', f'"{opaque[:-1]}"', f'"{opaque}x"', '""',
                    _expected_etag(app, path, "text/csv"),  # the tag of another representation
                    _expected_etag(app, path + ("&" if "?" in path else "?") + "x")]
    for if_none_match in not_matching:
        got = _answer(app, method, path, {"If-None-Match": if_none_match})
        assert got[0] == 200 and got[2] == plain[2], if_none_match
        assert got[1]["ETag"] == etag


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_none_match_star_is_true_only_for_a_current_representation(app_calls, method):
    """``*`` matches when the resource has a current representation (RFC 9110 13.1.2): a 200
    becomes a 304, a 404 stays a 404 (preconditions are ignored for non-2xx answers, 13.2.1)."""
    app, _ = app_calls
    for path in PATHS:
        plain = _answer(app, method, path)
        _assert_304_of(_answer(app, method, path, {"If-None-Match": "*"}), plain, plain[1]["ETag"])
    for path in MISSING:
        plain = _answer(app, method, path)
        got = _answer(app, method, path, {"If-None-Match": "*"})
        assert plain[0] in (404, 422) and got[0] == plain[0] and got[2] == plain[2], path
        assert "ETag" not in got[1] and got[1]["Cache-Control"] == "no-store"


def test_the_tag_depends_on_accept(app_calls):
    app, _ = app_calls
    path = "/v1/events"
    json_tag, csv_tag = (_answer(app, "GET", path, {"Accept": a})[1]["ETag"] for a in ("application/json", "text/csv"))
    assert json_tag != csv_tag
    assert _answer(app, "GET", path, {"Accept": "text/csv", "If-None-Match": json_tag})[0] == 200
    assert _answer(app, "GET", path, {"Accept": "text/csv", "If-None-Match": csv_tag})[0] == 304


# ---- If-Modified-Since --------------------------------------------------------------------------
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_modified_since(app_calls, path, method):
    app, _ = app_calls
    plain = _answer(app, method, path)
    assert plain[1]["Last-Modified"].endswith(" GMT")
    last_modified = parsedate_to_datetime(plain[1]["Last-Modified"])
    # not newer than the date given: 304
    for since in (last_modified, last_modified + timedelta(seconds=1), last_modified + timedelta(days=400)):
        _assert_304_of(_answer(app, method, path, {"If-Modified-Since": _date(since)}), plain, plain[1]["ETag"])
    # the obsolete HTTP-date forms are HTTP-dates too (RFC 9110 5.6.7)
    rfc850 = last_modified.strftime("%A, %d-%b-%y %H:%M:%S GMT")
    asctime = last_modified.strftime("%a %b %e %H:%M:%S %Y")
    for since in (rfc850, asctime):
        assert _answer(app, method, path, {"If-Modified-Since": since})[0] == 304, since
    # newer than the date given: the full answer
    got = _answer(app, method, path, {"If-Modified-Since": _date(last_modified - timedelta(seconds=1))})
    assert got[0] == 200 and got[2] == plain[2]
    # not an HTTP-date: ignored (13.1.3)
    for invalid in ("yesterday", "2024-07-24", "", "Mon, 99 Foo 2024 00:00:00 GMT"):
        got = _answer(app, method, path, {"If-Modified-Since": invalid})
        assert got[0] == 200 and got[2] == plain[2], invalid


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_none_match_takes_precedence_over_if_modified_since(app_calls, method):
    """RFC 9110 13.2.2: If-Modified-Since is evaluated only when If-None-Match is absent."""
    app, _ = app_calls
    path = PATHS[0]
    plain = _answer(app, method, path)
    later = _date(parsedate_to_datetime(plain[1]["Last-Modified"]) + timedelta(days=1))
    earlier = _date(parsedate_to_datetime(plain[1]["Last-Modified"]) - timedelta(days=1))
    assert _answer(app, method, path, {"If-None-Match": '"nope"', "If-Modified-Since": later})[0] == 200
    assert _answer(app, method, path, {"If-None-Match": plain[1]["ETag"], "If-Modified-Since": earlier})[0] == 304


@pytest.mark.parametrize("path", MISSING)
def test_if_modified_since_is_ignored_when_the_answer_is_not_a_200(app_calls, path):
    app, _ = app_calls
    plain = _answer(app, "GET", path)
    got = _answer(app, "GET", path, {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert plain[0] in (404, 422) and (got[0], got[2]) == (plain[0], plain[2])


# ---- HEAD ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", PATHS + MISSING)
def test_head_is_get_without_a_body(app_calls, path):
    app, _ = app_calls
    get, head = _answer(app, "GET", path), _answer(app, "HEAD", path)
    assert head[0] == get[0] and head[1] == get[1] and head[2] == b""
    if get[0] == 200:
        for conditional in ({"If-None-Match": get[1]["ETag"]},
                            {"If-Modified-Since": get[1]["Last-Modified"]}):
            assert _answer(app, "HEAD", path, conditional)[:2] == _answer(app, "GET", path, conditional)[:2]


# ---- validators and Vary ------------------------------------------------------------------------
def test_etag_covers_the_representation_version(app_calls, db_path):
    """Same dataset, same request, another version of the API's representations: another ETag
    (the cached answers of the old code are not taken for the new one's)."""
    app, _ = app_calls
    version = app.config["API_VERSION"]
    assert app.wsgi_app.representation == representation_version(app)
    assert app.wsgi_app.representation.startswith(version + "+")
    other = create_app({"KB_DB": str(db_path), "TESTING": True, "API_VERSION": version + "-next"})
    assert other.wsgi_app.representation != app.wsgi_app.representation
    path = PATHS[0]
    old_tag = _answer(app, "GET", path)[1]["ETag"]
    assert other.test_client().get(path).headers["ETag"] != old_tag
    assert other.test_client().get(path, headers={"If-None-Match": old_tag}).status_code == 200
    # the public URL (servers) is per deployment, not part of the representation version
    elsewhere = create_app({"KB_DB": str(db_path), "TESTING": True, "PUBLIC_URL": "https://kb.example.org"})
    assert elsewhere.wsgi_app.representation == app.wsgi_app.representation


def test_last_modified_is_the_datasets_build_time(app_calls):
    app, _ = app_calls
    built_at = app.extensions["kb_db"].current().built_at
    last_modified = _answer(app, "GET", PATHS[0])[1]["Last-Modified"]
    assert parsedate_to_datetime(last_modified).isoformat().replace("+00:00", "Z") == built_at


def test_vary_is_accept_only_and_no_answer_depends_on_origin(app_calls):
    app, _ = app_calls
    for path in PATHS:
        answers = [_answer(app, "GET", path, {"Origin": origin} if origin else {})
                   for origin in (None, "https://a.example", "https://b.example", "null")]
        assert answers[0][1]["Vary"] == "Accept"
        assert all(answer == answers[0] for answer in answers), path
        assert answers[0][1]["Access-Control-Allow-Origin"] == "*"


# ---- what never gets a 304 ----------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_never_cached_paths_go_to_flask(app_calls, path):
    app, calls = app_calls
    for conditional in ({"If-None-Match": "*"}, {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}):
        calls.clear()
        got = _answer(app, "GET", path, conditional)
        assert calls and got[0] == 200 and got[1]["Cache-Control"] == "no-store" and "ETag" not in got[1]


@pytest.mark.parametrize("path", ["/v1/facts?q=%FF", "/v1/facts?q=%C3%A9%FF&limit=2"])
def test_malformed_requests_are_refused_before_flask(app_calls, path):
    """A path or query string that is not UTF-8 is a 400 problem, conditional or not."""
    app, calls = app_calls
    for headers in [{}, {"If-None-Match": "*"}, {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}]:
        calls.clear()
        got = app.test_client().get(path, headers=headers)
        assert not calls and got.status_code == 400 and got.mimetype == "application/problem+json"
        assert got.get_json()["detail"] == "The path or query string is not valid UTF-8."
