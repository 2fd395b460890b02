"""``/v1/releases``: the releases of the knowledge base from git history (kb/releases.py, docs/releases.md)."""
import json

import marshmallow as ma
from flask.views import MethodView

from ..blueprint import Blueprint, path_id
from ..dataset import downloads
from ..http.pagination import after, page, page_of
from ..params import QuerySchema, cursor_field, limit_field
from ..queries.releases import is_empty, previous_release, release_or_404, release_rows
from ..shapes.downloads import ArtifactSchema

F = ma.fields
blp = Blueprint("releases", __name__, url_prefix="/v1/releases",
                description="Releases of the knowledge base: one per commit that changed the seeds (one that changed "
                            "no content is marked `empty`); a release id and `X-Dataset-Version` both name one")
RELEASE_ID = path_id("release_id", "Id of the release", "5c78aef9-e135d08014")


class ReleaseSchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "5c78aef9-e135d08014",
                                           "description": "Content digest (8 hex) and commit (10 hex); `-working` "
                                                          "for uncommitted changes, `-current` outside git"})
    parent = F.String(required=True, allow_none=True, metadata={"description": "The release before, null for the first"})
    commit = F.String(required=True, allow_none=True, metadata={"description": "The git commit, null outside git"})
    built_at = F.String(required=True, allow_none=True, metadata={"example": "2026-11-28T03:38:32Z",
                                                                  "description": "The commit time (ISO 8601, UTC)"})
    previous = F.String(required=True, allow_none=True, metadata={
        "example": "5c78aef9-e135d08014",
        "description": "The previous release, skipping releases without content changes (`empty`): "
                       "`/v1/changes?since=<previous>` lists what this release's content last changed (for an "
                       "empty release, what the last release with changes changed); null for the first (since 1.7.0)"})
    empty = F.Boolean(required=True, metadata={
        "description": "True when the release changed no fact, entity or source (a commit that touched the seeds "
                       "or the schema without changing their content): its content is its parent's. Its id stays "
                       "valid everywhere, `since=` and `changed_since=` included (since 1.7.0)"})
    history = F.String(required=True, metadata={"enum": ["full", "shallow", "none"], "example": "full"})
    working = F.Boolean(required=True, metadata={"description": "Uncommitted changes on top of the commit"})
    counts = F.Dict(keys=F.String(), values=F.Integer(), required=True, metadata={
        "example": {"facts": 55, "entities": 29, "sources": 2}})
    changes = F.Dict(keys=F.String(), values=F.Integer(), required=True, metadata={
        "description": "Facts, entities and sources this release added, modified, removed and renamed",
        "example": {"added": 1, "modified": 5, "removed": 0, "renamed": 0}})
    artifacts = F.Dict(keys=F.String(), values=F.Nested(ArtifactSchema), required=True, metadata={
        "description": "The files of the release served (`kb.sqlite`, `facts.ndjson.gz`: `/v1/downloads`), "
                       "by name; empty for older releases, which are not downloadable"})
    links = F.Dict(keys=F.String(), values=F.String(), required=True, metadata={
        "example": {"self": "/v1/releases/5c78aef9-e135d08014"}})


ReleasePageSchema = page_of(ReleaseSchema, "ReleasePageSchema")


class ReleaseArgs(QuerySchema):
    limit = limit_field()
    cursor = cursor_field()


def release(row):
    return {"id": row["id"], "parent": row["parent"], "previous": previous_release(row["seq"]),
            "empty": is_empty(row), "commit": row["commit_sha"], "built_at": row["built_at"],
            "history": row["history"], "working": bool(row["working"]), "counts": json.loads(row["counts"]),
            "changes": {op: row[op] for op in ("added", "modified", "removed", "renamed")},
            "artifacts": downloads.artifacts_of_release(row),
            "links": {"self": f"/v1/releases/{row['id']}"}}


@blp.route("")
class Releases(MethodView):
    @blp.arguments(ReleaseArgs, location="query")
    @blp.response(200, ReleasePageSchema)
    @blp.doc(operationId="listReleases")
    def get(self, args):
        """List releases

        Every release, newest first (the first is the one served), with how many facts, entities
        and sources it added, modified, removed and renamed.
        """
        last = after("releases", args, 1)
        rows = release_rows(args["limit"] + 1, before=last[0] if last else None)
        body, headers = page(rows, args["limit"], "releases", lambda r: [r["seq"]], release)
        return body, 200, headers


@blp.route("/<slug:release_id>", parameters=RELEASE_ID)
class Release(MethodView):
    @blp.response(200, ReleaseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(operationId="getRelease")
    def get(self, release_id):
        """Get one release

        The release's manifest: its parent, commit, time, counts and changes.
        """
        return release(release_or_404(release_id))
