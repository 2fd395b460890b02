"""/v1/releases, the tombstones (410 Gone) of removed facts, entities and sources, the change feed
(/v1/changes), changed_since and a fact's history, on databases built by the real loader from
scratch git repositories."""
import json
import shutil
import sqlite3

import pytest
import yaml

from support import SEEDS, all_pages, four_changes, git, scratch_repo  # noqa: E402

from kb import diff, history
from kb.build import build
from kb.cli import main


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
    (repo / "seeds" / "removals.yaml").write_text(yaml.safe_dump(
        {"removals": [{"kind": "fact", "id": gone["id"], "reason": "retracted by the source"}]}), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "two")
    build(repo / "seeds", tmp_path / "kb.sqlite", progress=False)
    from api.app import create_app
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
    assert response.get_json()["detail"].endswith(": retracted by the source")
    assert client.get("/v1/facts/never-existed").status_code == 404
    page = client.get(f"/facts/{gone['id']}")  # the tombstone as a page, for a reader following a link
    assert page.status_code == 410 and page.mimetype == "text/html"
    assert "retracted by the source" in page.get_data(as_text=True) and releases[0]["id"] in page.get_data(as_text=True)

    # outside git there is no release that removed it, but the curator's reason still makes it a 410
    plain = tmp_path / "plain"
    shutil.copytree(repo / "seeds", plain)
    build(plain, tmp_path / "plain.sqlite", progress=False)
    outside = create_app({"KB_DB": str(tmp_path / "plain.sqlite"), "TESTING": True}).test_client()
    response = outside.get(f"/v1/facts/{gone['id']}")
    assert response.status_code == 410 and response.get_json()["detail"] == (
        f"Fact {gone['id']!r} was removed: retracted by the source")


@pytest.mark.parametrize("entry, message", [
    ("present", "is listed as removed but is still in the seeds"),
    ("twice", "is listed twice"),
    ("kind", "removals[0].kind"),
])
def test_removals_yaml_is_checked(tmp_path, entry, message):
    """seeds/removals.yaml names ids that are gone, each once, with a kind: file:line messages."""
    from kb.build import BuildFailed

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    fact = yaml.safe_load(next((seeds / "facts").rglob("*.yaml")).read_text(encoding="utf-8"))["facts"][0]["id"]
    items = {"present": [{"kind": "fact", "id": fact, "reason": "r"}],
             "twice": [{"kind": "source", "id": "gone-source", "reason": "r"}] * 2,
             "kind": [{"kind": "claim", "id": "x", "reason": "r"}]}[entry]
    (seeds / "removals.yaml").write_text(yaml.safe_dump({"removals": items}), encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(seeds, tmp_path / "kb.sqlite", progress=False)
    text = "\n".join(map(str, failed.value.problems))
    assert f"{seeds / 'removals.yaml'}:" in text and message in text, text
    assert not (tmp_path / "kb.sqlite").exists()


def _client(db):
    from api.app import create_app
    return create_app({"KB_DB": str(db), "TESTING": True}).test_client()


def _ndjson(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson", response.data[:300]
    return [json.loads(line) for line in response.data.decode().splitlines()]


def test_the_four_changes_agree_everywhere(tmp_path, capsys):
    """One commit modifies a fact, removes one, renames one and adds one: the change feed, the
    fact lists' changed_since, each fact's history, the 410, the 308 and `kb diff` all report
    exactly those four; a fresh clone of the repository serves the same releases and changes."""
    repo = scratch_repo(tmp_path)
    modified, removed, (old, new), added = four_changes(repo)
    build(repo / "seeds", tmp_path / "kb.sqlite", progress=False)
    client = _client(tmp_path / "kb.sqlite")
    releases = all_pages(client, "/v1/releases")
    assert len(releases) == 2
    last, before = releases[0]["id"], releases[1]["id"]

    # the change feed since the release before the commit: exactly the four, all in the last release
    feed = all_pages(client, f"/v1/changes?since={before}&limit=1")
    expected = {("fact", "modified", modified, None), ("fact", "removed", removed, None),
                ("fact", "renamed", old, new), ("fact", "added", added, None)}
    assert {(c["kind"], c["op"], c["id"], c["new_id"]) for c in feed} == expected and len(feed) == 4
    assert {c["release"] for c in feed} == {last}
    assert {c["op"]: c["fields"] for c in feed} == {"modified": ["citations", "summary"], "removed": [],
                                                     "renamed": [], "added": []}
    assert [c["id"] for c in feed] == sorted(c["id"] for c in feed)  # one release, one kind: by id
    assert client.get(f"/v1/changes?since={before}&limit=100").get_json() == {"data": feed, "next_cursor": None}
    assert client.get(f"/v1/changes?since={last}").get_json() == {"data": [], "next_cursor": None}
    # kb diff of the same commit: the same four
    base, head = history.revision_content(repo, "HEAD~1"), history.revision_content(repo, "HEAD")
    assert {(c.kind, c.op, c.id, c.new_id) for c in diff.changes(base, head)} == expected
    assert main(["diff", "HEAD~1", "HEAD", "--seeds", str(repo / "seeds")]) == 0
    assert "- **facts**: 1 added, 1 removed, 1 renamed, 1 modified" in capsys.readouterr().out

    # the whole feed: cursor pages concatenated = the unpaged list = the NDJSON stream, in key order
    whole = all_pages(client, "/v1/changes?limit=7")
    assert len(whole) > 7 and whole[-4:] == feed
    assert _ndjson(client, "/v1/changes?format=ndjson") == whole
    assert _ndjson(client, "/v1/changes", headers={"Accept": "application/x-ndjson"}) == whole
    assert _ndjson(client, f"/v1/changes?since={before}&format=ndjson") == feed
    seqs = {r["id"]: n for n, r in enumerate(reversed(releases))}
    assert [(seqs[c["release"]], c["kind"], c["id"]) for c in whole] == sorted(
        (seqs[c["release"]], c["kind"], c["id"]) for c in whole)
    assert {c["op"] for c in whole if c["release"] == before} == {"added"}
    assert all_pages(client, "/v1/changes?kind=fact&op=removed&limit=1") == [c for c in feed if c["op"] == "removed"]
    assert all_pages(client, "/v1/changes?kind=source&limit=5") == [c for c in whole if c["kind"] == "source"]

    # an unknown or foreign release is a 422 problem, not an empty list
    foreign = before[:9] + "0" * 10
    for url in (f"/v1/changes?since={foreign}", "/v1/changes?since=nope", f"/v1/facts?changed_since={foreign}",
                f"/v1/meetings?changed_since={foreign}"):
        response = client.get(url)
        assert response.status_code == 422 and response.mimetype == "application/problem+json", url
        assert set(response.get_json()["errors"]) <= {"since", "changed_since"}, url

    # changed_since: the facts added, modified or renamed into after the release, still present
    facts = all_pages(client, f"/v1/facts?changed_since={before}&limit=2")
    assert sorted(f["id"] for f in facts) == sorted([modified, new, added])
    assert _ndjson(client, f"/v1/facts?changed_since={before}&format=ndjson") == facts
    assert all_pages(client, f"/v1/facts?changed_since={last}") == []
    assert len(all_pages(client, "/v1/facts?limit=100")) > len(facts)
    typed = all_pages(client, f"/v1/statements?changed_since={before}")
    assert {f["id"] for f in typed} == {f["id"] for f in facts if f["type"] == "statement"}

    # each fact's history
    def versions(fact_id):
        response = client.get(f"/v1/facts/{fact_id}/history")
        assert response.status_code == 200, (fact_id, response.get_json())
        return response.get_json()

    got = versions(modified)
    assert got["current"] and [(v["op"], v["release"]) for v in got["versions"]] == [("added", before),
                                                                                     ("modified", last)]
    assert got["versions"][1]["fields"] == ["citations", "summary"]
    assert got["versions"][0]["content"] == base["fact"][modified] and got["versions"][1]["content"] == head["fact"][
        modified] and got["versions"][1]["content"]["summary"].endswith("(revised)")
    got = versions(removed)
    assert not got["current"] and [(v["op"], v["release"]) for v in got["versions"]] == [("added", before),
                                                                                         ("removed", last)]
    assert got["versions"][-1]["content"] is None and got["versions"][0]["content"] == base["fact"][removed]
    got = versions(new)
    assert [(v["op"], v["id"], v["former_id"]) for v in got["versions"]] == [("added", old, None),
                                                                             ("renamed", new, old)]
    assert got["versions"][1]["content"] == head["fact"][new] and got["versions"][0]["content"] == base["fact"][old]
    moved = client.get(f"/v1/facts/{old}/history")
    assert moved.status_code == 308 and moved.headers["Location"].endswith(f"/v1/facts/{new}/history")
    got = versions(added)
    assert [(v["op"], v["release"]) for v in got["versions"]] == [("added", last)]
    assert got["versions"][0]["content"] == head["fact"][added]
    # every other fact: added in the first release, untouched since
    touched = {fid for fid in [f["id"] for f in all_pages(client, "/v1/facts?limit=100")]
               if [v["op"] for v in versions(fid)["versions"]] != ["added"]
               or versions(fid)["versions"][0]["release"] != before}
    assert touched == {modified, new, added}
    assert client.get("/v1/facts/never-existed/history").status_code == 404

    # the tombstone and the redirect
    gone = client.get(f"/v1/facts/{removed}")
    assert gone.status_code == 410 and last in gone.get_json()["detail"]
    assert client.get(f"/v1/facts/{old}").status_code == 308

    # a fresh clone: the same releases, changes and versions, byte for byte
    git(tmp_path, "clone", "-q", "--no-local", str(repo), "clone")
    build(tmp_path / "clone" / "seeds", tmp_path / "clone.sqlite", progress=False)
    other = _client(tmp_path / "clone.sqlite")
    assert all_pages(other, "/v1/releases") == releases
    assert _ndjson(other, "/v1/changes?format=ndjson") == whole
    tables = []
    for db in (tmp_path / "kb.sqlite", tmp_path / "clone.sqlite"):
        with sqlite3.connect(db) as conn:
            tables.append([conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall()
                           for t in ("releases", "changes", "versions")])
    assert tables[0] == tables[1]


def test_history_across_a_revert(tmp_path):
    """A revert is a new release: the removed fact comes back (added again), the renamed one goes
    back to its old id; each history tells it in order, and a former id's versions stop at the
    rename when the id is reused."""
    repo = scratch_repo(tmp_path)
    modified, removed, (old, new), added = four_changes(repo)
    git(repo, "revert", "--no-edit", "HEAD")
    build(repo / "seeds", tmp_path / "kb.sqlite", progress=False)
    client = _client(tmp_path / "kb.sqlite")
    third, second, first = [r["id"] for r in all_pages(client, "/v1/releases")]

    def ops(fact_id):
        response = client.get(f"/v1/facts/{fact_id}/history")
        assert response.status_code == 200, fact_id
        body = response.get_json()
        return body["current"], [(v["op"], v["release"]) for v in body["versions"]]

    assert ops(removed) == (True, [("added", first), ("removed", second), ("added", third)])
    assert ops(added) == (False, [("added", second), ("removed", third)])
    assert ops(modified) == (True, [("added", first), ("modified", second), ("modified", third)])
    assert ops(old) == (True, [("added", first), ("renamed", second), ("added", third)])
    assert ops(new) == (False, [("added", first), ("renamed", second), ("removed", third)])
    assert {c["op"] for c in all_pages(client, f"/v1/changes?since={second}")} == {"added", "modified", "removed"}
    assert sorted(f["id"] for f in all_pages(client, f"/v1/facts?changed_since={second}")) == sorted([removed, modified,
                                                                                                      old])


def test_one_version_identity(tmp_path):
    """The version a client saw (``X-Dataset-Version``) works as ``since=`` and ``changed_since=``
    once the data changed, as the release it was; a release without content changes is marked
    ``empty``, its id keeps working, and ``previous`` (of a release, and of ``/v1``'s) skips it; a
    fact's history gives each changed value before and after, at its path in the served fact, and
    says when a change is whitespace only (a space turned into a no-break space)."""
    repo = scratch_repo(tmp_path)
    db = tmp_path / "kb.sqlite"  # every build at the same path, as a server's `make db` does
    build(repo / "seeds", db, progress=False)
    client = _client(db)
    response = client.get("/v1")
    seen, first = response.headers["X-Dataset-Version"], response.get_json()["release"]
    assert seen == response.get_json()["dataset_version"] and first["parent"] is None and not first["empty"]
    assert client.get(f"/v1/changes?since={seen}").get_json() == {"data": [], "next_cursor": None}

    # a commit that changes no content: an empty release, same dataset version
    facts_file = sorted((repo / "seeds" / "facts").glob("*.yaml"))[0]
    facts_file.write_text(facts_file.read_text(encoding="utf-8") + "# a comment changes no fact\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "a comment")
    build(repo / "seeds", db, progress=False)
    # then real changes, and a quote whose space becomes a no-break space
    modified, removed, (old, new), added = four_changes(repo)
    spaced = None
    for path in sorted((repo / "seeds" / "facts").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for fact in doc["facts"]:
            quote = fact["citations"][0]["quote"]
            if spaced is None and fact["id"] not in (modified, new, added) and " " in quote:
                fact["citations"][0]["quote"] = quote.replace(" ", "\u00a0", 1)
                spaced = fact["id"]
                path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "a no-break space")
    build(repo / "seeds", db, progress=False)
    client = _client(db)

    newest, four, empty, oldest = all_pages(client, "/v1/releases")
    assert [r["empty"] for r in (newest, four, empty, oldest)] == [False, False, True, False]
    assert oldest["id"] == first["id"] and empty["parent"] == oldest["id"] and four["parent"] == empty["id"]
    assert four["previous"] == oldest["id"] and oldest["previous"] is None and empty["previous"] is None
    index = client.get("/v1").get_json()
    assert index["release"] == {"id": newest["id"], "parent": four["id"], "previous": four["id"], "empty": False}
    assert index["links"]["release"] == f"/v1/releases/{newest['id']}"
    assert index["links"]["changes_since_previous"] == f"/v1/changes?since={four['id']}"

    # the version seen before is the release it was: the same feed and fact lists as its id
    feed = all_pages(client, f"/v1/changes?since={oldest['id']}")
    assert {(c["op"], c["id"]) for c in feed} == {("modified", modified), ("removed", removed), ("renamed", old),
                                                  ("added", added), ("modified", spaced)}
    for since in (seen, empty["id"]):
        assert all_pages(client, f"/v1/changes?since={since}") == feed
        assert all_pages(client, f"/v1/facts?changed_since={since}") == all_pages(
            client, f"/v1/facts?changed_since={oldest['id']}")
    now = client.get("/v1").headers["X-Dataset-Version"]
    assert now != seen and client.get(f"/v1/changes?since={now}").get_json()["data"] == []
    # a database built afresh elsewhere knows its own version only
    fresh = tmp_path / "fresh.sqlite"
    build(repo / "seeds", fresh, progress=False)
    assert _client(fresh).get(f"/v1/changes?since={now}").status_code == 200
    response = _client(fresh).get(f"/v1/changes?since={seen}")
    assert response.status_code == 422 and "X-Dataset-Version" in response.get_json()["errors"]["since"][0]

    # history: values before and after, at the served paths; fields and content as before
    history = client.get(f"/v1/facts/{modified}/history").get_json()["versions"]
    assert [v["diff"] for v in history[:1]] == [[]] and history[-1]["fields"] == ["citations", "summary"]
    changes = {c["path"]: c for c in history[-1]["diff"]}
    assert {"summary", "citations[0].quote"} <= set(changes) and not history[-1]["whitespace_only"]
    assert changes["summary"]["after"] == changes["summary"]["before"] + " (revised)"
    assert changes["summary"]["after"] == history[-1]["content"]["summary"]
    served = client.get(f"/v1/facts/{modified}").get_json()
    assert changes["citations[0].quote"]["after"] == served["citations"][0]["quote"]
    last = client.get(f"/v1/facts/{spaced}/history").get_json()["versions"][-1]
    assert last["fields"] == ["citations"] and last["whitespace_only"] is True
    assert [(c["path"], c["whitespace_only"]) for c in last["diff"]] == [("citations[0].quote", True)]
    assert last["diff"][0]["after"] == last["diff"][0]["before"].replace(" ", "\u00a0", 1)
    renamed = client.get(f"/v1/facts/{new}/history").get_json()["versions"][-1]
    assert {"path": "id", "before": old, "after": new, "whitespace_only": False} in renamed["diff"]
