"""The server's public address (api/http/public_url.py), through the production server over HTTP: on
another port, behind another host name, behind a trusted proxy (X-Forwarded-*), with the forwarded
headers of an untrusted peer ignored, and with KB_PUBLIC_URL. The spec's ``servers``, the downloads'
``href`` and the reconciliation manifest's view and preview name the address the client used;
``identifierSpace`` is the same everywhere; an ETag of one address is not another's."""
import json
from urllib.parse import urlsplit

from factmodel.downloads import NAMES
from support import Server, get

IDENTIFIER_SPACE = "https://syria-kb.example/id/entities/"


def addresses(port, headers=None):
    """``{what: absolute URL}`` of every absolute link the server gives for one request's headers."""
    found = {}
    status, _, body = get(port, "/openapi.json", headers=headers)
    assert status == 200
    found["servers"] = [s["url"] for s in json.loads(body)["servers"]]
    status, _, body = get(port, "/v1/reconcile", headers=headers)
    manifest = json.loads(body)
    assert status == 200 and manifest["identifierSpace"] == IDENTIFIER_SPACE
    found["view"], found["preview"] = manifest["view"]["url"], manifest["preview"]["url"]
    status, _, body = get(port, "/v1/downloads", headers=headers)
    found["downloads"] = sorted(d["href"] for d in json.loads(body)["data"])
    status, _, body = get(port, "/v1/releases?limit=1", headers=headers)
    found["artifacts"] = sorted(a["href"] for a in json.loads(body)["data"][0]["artifacts"].values())
    return found


def expected(base):
    return {"servers": [base], "view": f"{base}/v1/entities/{{{{id}}}}", "preview": f"{base}/v1/entities/{{{{id}}}}",
            "downloads": sorted(f"{base}/v1/downloads/{name}" for name in NAMES),
            "artifacts": sorted(f"{base}/v1/downloads/{name}" for name in NAMES)}


def test_the_address_the_client_used(live_server):
    port = urlsplit(live_server).port
    assert port != 8000 and addresses(port) == expected(live_server)
    assert addresses(port, {"Host": "kb.example.org"}) == expected("http://kb.example.org")
    assert addresses(port, {"Host": "KB.example.org:8443"}) == expected("http://kb.example.org:8443")
    # the project's nginx (on this machine: a trusted proxy) passes the Host and the scheme
    assert addresses(port, {"Host": "kb.example.org", "X-Forwarded-Proto": "https"}) == expected(
        "https://kb.example.org")
    assert addresses(port, {"X-Forwarded-Host": "public.example", "X-Forwarded-Proto": "https",
                            "X-Forwarded-Port": "444"}) == expected("https://public.example:444")
    # a Host that is no host name is not used
    assert addresses(port, {"Host": "bad host/<x>"})["servers"] != ["http://bad host/<x>"]
    # the ETag of an answer with absolute links depends on the address; a tag of one is no 304 at the other
    for path in ("/openapi.json", "/v1/reconcile", "/v1/downloads"):
        _, here, _ = get(port, path)
        _, there, _ = get(port, path, {"Host": "kb.example.org"})
        assert here["etag"] != there["etag"], path
        assert get(port, path, {"Host": "kb.example.org", "If-None-Match": here["etag"]})[0] == 200
        assert get(port, path, {"If-None-Match": here["etag"]})[0] == 304


def test_forwarded_headers_of_an_untrusted_peer_are_ignored(db_path):
    with Server(db_path, workers=1, env={"KB_TRUSTED_PROXIES": "192.0.2.1"}) as server:
        found = addresses(server.port, {"Host": "kb.example.org", "X-Forwarded-Host": "evil.example",
                                        "X-Forwarded-Proto": "https"})
        assert found == expected("http://kb.example.org")


def test_kb_public_url_wins(db_path):
    with Server(db_path, workers=1, env={"KB_PUBLIC_URL": "https://kb.example.org/"}) as server:
        assert addresses(server.port) == expected("https://kb.example.org")
        assert addresses(server.port, {"Host": "other.example", "X-Forwarded-Proto": "http"}) == expected(
            "https://kb.example.org")
