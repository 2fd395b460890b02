"""Downloads (docs/releases.md, "Downloads"): the build writes the dump and the manifest with the
database; /v1/downloads serves the bytes the server serves, over real HTTP (the production server),
with ETag = SHA-256, Range (206, resumption), If-None-Match (304), 416 and HEAD."""
import gzip
import hashlib
import http.client
import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import pytest
import yaml

from kb import artifacts
from kb.build import BuildFailed, build
from support import SEEDS, all_pages


def request(base, path, method="GET", headers=None):
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def listing(base):
    status, headers, body = request(base, "/v1/downloads")
    assert status == 200 and headers["content-type"] == "application/json"
    return {item["name"]: item for item in json.loads(body)["data"]}


def test_the_list_names_both_files_with_the_manifest_s_digests(live_server, db_path):
    files = listing(live_server)
    assert list(files) == ["kb.sqlite", "facts.ndjson.gz", "facts.parquet", "citations.parquet", "entities.parquet"]
    manifest = json.loads(artifacts.manifest_path(db_path).read_text())
    for name, item in files.items():
        assert {k: item[k] for k in ("sha256", "size", "media_type", "url")} == manifest["artifacts"][name]
        assert item["url"] == f"/v1/downloads/{name}" and item["release"] == manifest["id"]
        assert item["href"] == live_server + item["url"]  # the address the request came to
    # the database served is the file built, byte for byte (a snapshot copy of it)
    assert files["kb.sqlite"]["sha256"] == hashlib.sha256(Path(db_path).read_bytes()).hexdigest()
    _, _, body = request(live_server, "/v1/releases?limit=2")
    releases = json.loads(body)["data"]
    # the manifest's entries, and each file's absolute URL at the address asked
    served = {name: dict(entry, href=live_server + entry["url"]) for name, entry in manifest["artifacts"].items()}
    assert releases[0]["id"] == manifest["id"]
    assert releases[0]["artifacts"] == served
    assert all(release["artifacts"] == {} for release in releases[1:])
    _, _, body = request(live_server, f"/v1/releases/{manifest['id']}")
    assert json.loads(body)["artifacts"] == served


@pytest.mark.parametrize("name", ["kb.sqlite", "facts.ndjson.gz", "facts.parquet"])
def test_download_whole_resumed_conditional_and_head(live_server, name):
    item = listing(live_server)[name]
    path, size, tag = item["url"], item["size"], f'"{item["sha256"]}"'
    status, headers, whole = request(live_server, path)
    assert status == 200 and headers["content-type"] == item["media_type"]
    assert hashlib.sha256(whole).hexdigest() == item["sha256"] and len(whole) == size
    assert headers["content-length"] == str(size) and headers["etag"] == tag and headers["accept-ranges"] == "bytes"
    assert headers["content-disposition"] == f"attachment; filename={name}"

    # an interrupted download resumed: two ranges make the whole file
    cut = size // 3
    status, headers, first = request(live_server, path, headers={"Range": f"bytes=0-{cut - 1}"})
    assert status == 206 and headers["content-range"] == f"bytes 0-{cut - 1}/{size}" and len(first) == cut
    status, headers, rest = request(live_server, path, headers={"Range": f"bytes={cut}-", "If-Range": tag})
    assert status == 206 and headers["content-range"] == f"bytes {cut}-{size - 1}/{size}"
    assert hashlib.sha256(first + rest).hexdigest() == item["sha256"]
    # If-Range with another file's tag: the whole (current) file, not a range of it
    status, _, body = request(live_server, path, headers={"Range": f"bytes={cut}-", "If-Range": '"0000"'})
    assert status == 200 and body == whole

    status, headers, body = request(live_server, path, headers={"If-None-Match": tag})
    assert status == 304 and body == b"" and headers["etag"] == tag
    status, _, body = request(live_server, path, headers={"If-None-Match": '"someone-else"'})
    assert status == 200 and body == whole

    status, headers, body = request(live_server, path, headers={"Range": f"bytes={size}-"})
    assert status == 416 and headers["content-type"] == "application/problem+json"
    assert headers["content-range"] == f"bytes */{size}" and json.loads(body)["status"] == 416

    status, headers, body = request(live_server, path, method="HEAD")
    assert status == 200 and body == b"" and headers["content-length"] == str(size) and headers["etag"] == tag


def test_an_unknown_file_is_a_404(live_server):
    status, headers, _ = request(live_server, "/v1/downloads/kb.sqlite.bak")
    assert status == 404 and headers["content-type"] == "application/problem+json"


def test_the_dump_is_every_fact_as_the_api_serves_it_in_list_order(live_server, client):
    _, _, body = request(live_server, "/v1/downloads/facts.ndjson.gz")
    lines = gzip.decompress(body).splitlines()
    facts = [orjson.loads(line) for line in lines]
    listed = all_pages(client, "/v1/facts?limit=17")
    assert [f["id"] for f in facts] == [f["id"] for f in listed]
    assert len(set(f["id"] for f in facts)) == len(lines)
    for fact in facts:
        assert client.get(f"/v1/facts/{fact['id']}").get_json() == fact


def test_two_builds_write_the_same_dump_and_manifest(tmp_path, db_path):
    paths = []
    for run in ("one", "two"):
        target = tmp_path / run / "kb.sqlite"
        meta = build(SEEDS, target, progress=False)
        paths.append(artifacts.dump_path(target, artifacts.dump_entry(meta)["sha256"]))
    one, two = (p.read_bytes() for p in paths)
    assert one == two and one[3] == 0 and one[4:8] == b"\0\0\0\0"  # no file name, mtime 0
    assert hashlib.sha256(one).hexdigest() == paths[0].name.removeprefix("facts-").removesuffix(".ndjson.gz")
    manifests = [artifacts.manifest_path(p.parent.parent / "kb.sqlite").read_bytes() for p in paths]
    assert manifests[0] == manifests[1]


def _served_set(target):
    folder = artifacts.downloads_dir(target)
    return {p.name: p.read_bytes() for p in [target, artifacts.manifest_path(target), *folder.iterdir()]}


def test_a_failed_build_changes_none_of_the_served_files(tmp_path, seeds_copy):
    target = tmp_path / "kb.sqlite"
    build(seeds_copy, target, progress=False)
    before = _served_set(target)
    broken = sorted((seeds_copy / "facts").glob("*.yaml"))[0]
    broken.write_text(broken.read_text(encoding="utf-8").replace("citations:", "citation:", 1), encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(seeds_copy, target, progress=False)
    assert _served_set(target) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "seeds") == [  # no temporary left either
        "kb.sqlite", "kb.sqlite.downloads", "kb.sqlite.manifest.json"]


def test_the_downloads_follow_a_new_dataset(tmp_path, seeds_copy):
    """A rebuild renamed over the served path: the list, the bytes and the dump are the new dataset's."""
    from api.app import create_app

    target = tmp_path / "kb.sqlite"
    build(seeds_copy, target, progress=False)
    client = create_app({"KB_DB": str(target), "TESTING": True}).test_client()
    old = {i["name"]: i for i in client.get("/v1/downloads").get_json()["data"]}
    path = sorted((seeds_copy / "facts").glob("*.yaml"))[-1]
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["facts"][0]["summary"] = "A summary changed for the downloads test."
    fid = doc["facts"][0]["id"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build(seeds_copy, target, progress=False)
    new = {i["name"]: i for i in client.get("/v1/downloads").get_json()["data"]}
    # every file that holds the summary is new (citations and entities may stay the same)
    assert all(new[name]["sha256"] != old[name]["sha256"] for name in ("kb.sqlite", "facts.ndjson.gz", "facts.parquet"))
    for name, item in new.items():
        body = client.get(item["url"]).data
        assert hashlib.sha256(body).hexdigest() == item["sha256"]
    dump = gzip.decompress(client.get("/v1/downloads/facts.ndjson.gz").data).splitlines()
    assert {orjson.loads(line)["id"]: orjson.loads(line)["summary"] for line in dump}[fid] == doc["facts"][0]["summary"]
    manifest = json.loads(artifacts.manifest_path(target).read_text())
    assert {name: item["sha256"] for name, item in manifest["artifacts"].items()} == {
        name: item["sha256"] for name, item in new.items()}


def test_a_dump_whose_bytes_are_not_the_named_ones_is_not_offered(tmp_path):
    from api.app import create_app

    target = tmp_path / "kb.sqlite"
    meta = build(SEEDS, target, progress=False)
    dump = artifacts.dump_path(target, artifacts.dump_entry(meta)["sha256"])
    data = bytearray(dump.read_bytes())
    data[-9] ^= 0xFF
    dump.write_bytes(bytes(data))  # damaged in place: same name, other bytes
    client = create_app({"KB_DB": str(target), "TESTING": True}).test_client()
    names = [i["name"] for i in client.get("/v1/downloads").get_json()["data"]]
    assert "facts.ndjson.gz" not in names and names[0] == "kb.sqlite"  # the others are still what meta names
    response = client.get("/v1/downloads/facts.ndjson.gz")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    shutil.rmtree(artifacts.downloads_dir(target))
    assert client.get("/v1/downloads/facts.ndjson.gz").status_code == 404
