"""/v1/releases and the tombstones (410 Gone) of removed facts, entities and sources, on a database
built from a scratch git repository with two releases."""
import os
import shutil
import subprocess

import yaml

from support import SEEDS, all_pages  # noqa: E402

from kb.build import build

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
           "GIT_CONFIG_GLOBAL": os.devnull}


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def test_releases_and_tombstones(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(SEEDS, repo / "seeds")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    path = sorted((repo / "seeds" / "facts").glob("*.yaml"))[-1]
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    text = repr(doc["facts"])
    gone = next(f for f in doc["facts"] if text.count(repr(f["id"])) == 1)
    doc["facts"].remove(gone)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "two")
    build(repo / "seeds", tmp_path / "kb.sqlite", progress=False)
    from api import create_app
    client = create_app({"KB_DB": str(tmp_path / "kb.sqlite"), "TESTING": True}).test_client()

    releases = all_pages(client, "/v1/releases?limit=1")
    assert len(releases) == 2 and releases[0]["parent"] == releases[1]["id"]
    assert releases[0]["changes"] == {"added": 0, "modified": 0, "removed": 1, "renamed": 0}
    assert releases[1]["parent"] is None and releases[1]["changes"]["added"] > 0
    one = client.get(f"/v1/releases/{releases[0]['id']}")
    assert one.status_code == 200 and one.get_json() == releases[0]
    assert client.get("/v1/releases/nope").status_code == 404

    response = client.get(f"/v1/facts/{gone['id']}")
    assert response.status_code == 410 and response.mimetype == "application/problem+json"
    assert releases[0]["id"] in response.get_json()["detail"]
    assert client.get("/v1/facts/never-existed").status_code == 404
