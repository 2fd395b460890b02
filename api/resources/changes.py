"""``/v1/changes``: what each release changed (facts, entities, sources). docs/releases.md. The
SQL is :mod:`api.queries.changes`; the shapes, and a fact's history's, :mod:`api.shapes.changes`."""
import marshmallow as ma
from flask import g
from flask.views import MethodView
from flask_smorest import abort

from ..blueprint import UNPROCESSABLE, Blueprint, links
from ..http.pagination import after, page, page_of
from ..http.streams import STREAM_DOC, response_format, sent_limit, stream
from ..params import FORMATS, QuerySchema, cursor_field, flavour_field, limit_field, slug_field
from ..shapes import spreadsheet
from ..queries.changes import change_key, change_sql, release_seq_or_422
from ..shapes.changes import CHANGE_COLUMNS, KINDS, OPS, RELEASE_EXAMPLE, ChangeSchema, change

F = ma.fields
blp = Blueprint("changes", __name__, url_prefix="/v1/changes",
                description="The change feed: facts, entities and sources each release added, modified, removed "
                            "or renamed")

ChangePageSchema = page_of(ChangeSchema, "ChangePageSchema")


class ChangeArgs(QuerySchema):
    since = slug_field("Only the changes after this release (exclusive), up to the release served; without it, "
                       "every change from the first release. A release id, or a dataset version as "
                       "`X-Dataset-Version` sent it (the release it was: store the header, ask `since=` it later). "
                       "One this dataset does not know is a 422",
                       RELEASE_EXAMPLE)
    kind = F.String(validate=ma.validate.OneOf(KINDS), metadata={"description": "Only changes to facts, entities "
                                                                                "or sources"})
    op = F.String(validate=ma.validate.OneOf(OPS), metadata={"description": "Only changes of this kind"})
    limit = limit_field()
    cursor = cursor_field()
    format = F.String(validate=ma.validate.OneOf(FORMATS), metadata={
        "description": "`csv` or `ndjson` stream every matching change without pagination (also via Accept); "
                       "`limit`, when sent, keeps the first rows of the stream"})
    flavour = flavour_field()  # issue 32


@blp.route("")
class Changes(MethodView):
    @blp.arguments(ChangeArgs, location="query")
    @blp.response(200, ChangePageSchema)
    @blp.doc(operationId="listChanges", **STREAM_DOC,
             **links(release=("getRelease", {"release_id": "/data/0/release"})))
    def get(self, args):
        """List changes

        Every fact, entity and source that a release after `since` added, modified, removed or
        renamed, up to the release served, in a stable order: the release (oldest first), then
        kind, then id. `kind` and `op` filter; paginated by cursor; `format=ndjson` or
        `format=csv` streams every match.
        """
        since = release_seq_or_422(args["since"], "since") if args.get("since") else 0
        query = {"since": since, "kind": args.get("kind"), "op": args.get("op")}
        fmt = response_format(args)
        if fmt != "json":
            if args.get("cursor"):
                abort(UNPROCESSABLE, errors={"cursor": [f"not used with format={fmt}: the stream has every row"]})
            flat = spreadsheet if fmt == "csv" and args.get("flavour") == "spreadsheet" else None
            return stream(g.db.stream(*change_sql(**query)), change, fmt, CHANGE_COLUMNS, name="changes",
                          limit=sent_limit(args), spreadsheet=flat)
        last = after("changes", args, 3)
        rows = g.db.all(*change_sql(**query, after=last, limit=args["limit"] + 1))
        body, headers = page(rows, args["limit"], "changes", change_key, change)
        return body, 200, headers
