"""docs/clients.md: a client stores the X-Dataset-Version it saw and later asks what changed since,
run against the live server: the curl block with bash and curl, the Python block through the SDK
that ``make sdk`` generates (the TypeScript one is clients/ts/client.mts, tests/api/test_clients.py)."""
import json
import re
import subprocess

from support import ROOT, get_json, imported_package, make

DOC = (ROOT / "docs" / "clients.md").read_text(encoding="utf-8")
ORIGIN = "http://127.0.0.1:8000"


def block(language):
    return re.search(rf"```{language}\n(.*?)```", DOC, re.S).group(1).replace("# … later:\n", "")


def test_the_curl_client(live_server):
    script = block("sh").replace(ORIGIN, live_server)
    run = subprocess.run(["bash", "-eu", "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith('{"data":[]') and '"next_cursor":null' in run.stdout  # nothing changed since


def test_the_python_client(live_server, tmp_path):
    make("sdk", f"SDK_DIR={tmp_path / 'python'}", f"DIST_DIR={tmp_path / 'dist'}")
    with imported_package(tmp_path / "python", "syria_kb_client"):
        scope = {}
        exec(block("python").replace(ORIGIN, live_server).replace("print(", "(lambda *a: None)("), scope)
        assert scope["seen"] == get_json(live_server + "/v1")["dataset_version"]
        assert scope["changes"].data == [] and scope["changes"].next_cursor is None


def tagged(language, tag):
    """The block opened by ```<language> <tag> (the examples added in issue 32)."""
    return re.search(rf"```{language} {tag}\n(.*?)```", DOC, re.S).group(1)


def all_of(live_server, path, query=""):
    items, url = [], f"{path}?limit=100{query}"
    while url:
        page = get_json(live_server + url)
        items += page["data"]
        url = page["next_cursor"] and f"{path}?limit=100{query}&cursor={page['next_cursor']}"
    return items


def test_pandas_and_duckdb_on_the_parquet_files(live_server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(tagged("python", "parquet").replace(ORIGIN, live_server).replace("print(", "(lambda *a: None)("), scope)
    every = all_of(live_server, "/v1/facts")
    assert list(scope["facts"]["id"]) == [f["id"] for f in every]
    assert len(scope["citations"]) == sum(len(f["citations"]) for f in every)
    people = {e["id"]: e["name"] for e in all_of(live_server, "/v1/entities", "&type=person")}
    expected = {}
    for fact in every:
        for ref in fact["entities"]:
            if ref["id"] in people:
                expected[people[ref["id"]]] = expected.get(people[ref["id"]], 0) + 1
    assert scope["per_person"] == sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))


def test_the_spreadsheet_download(live_server, tmp_path):
    script = tagged("sh", "spreadsheet").replace(ORIGIN, live_server)
    run = subprocess.run(["bash", "-eu", "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["ef", "bb", "bf"]
    text = (tmp_path / "events.csv").read_text(encoding="utf-8-sig")
    assert text.startswith("id,type") and "actors_names" in text.splitlines()[0]


def test_openrefine_by_get_and_post(live_server):
    run = subprocess.run(["bash", "-eu", "-c", tagged("sh", "openrefine").replace(ORIGIN, live_server)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    manifest, by_get, by_post = run.stdout.splitlines()
    assert '"versions":["0.2"]' in manifest.replace(" ", "")
    first = json.loads(by_get)["q0"]["result"][0]
    assert first["id"] == "recep-tayyip-erdogan" and first["match"] is True
    assert json.loads(by_post)["q0"]["result"][0]["id"] == "dmitry-peskov"
