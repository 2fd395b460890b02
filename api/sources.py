"""``/v1/sources``: the articles facts are drawn from."""
import marshmallow as ma
from flask import g
from flask.views import MethodView

from .common import (Blueprint, QuerySchema, cursor_field, decode_cursor, limit_field, links, page, page_of, path_id,
                     row_or_404)
from .fact_lists import GENERIC_COLUMNS, STREAM_DOC, fact_list, generic
from .fact_schemas import FactArgs, FactSchema

F = ma.fields
blp = Blueprint("sources", __name__, url_prefix="/v1/sources", description="Source articles and the facts each supports")


class SourceSchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "bloomberg-2024-07-25"})
    title = F.String(required=True)
    publisher = F.String(required=True, metadata={"example": "Bloomberg"})
    published = F.String(required=True, metadata={"example": "2024-07-25"})
    url = F.String(required=True, allow_none=True, metadata={"description": "Canonical address, null where unknown"})
    language = F.String(required=True, metadata={"example": "en"})
    note = F.String(required=True, allow_none=True)
    fact_count = F.Integer(required=True, metadata={"example": 31})
    links = F.Dict(keys=F.String(), values=F.String(), required=True, metadata={
        "example": {"self": "/v1/sources/bloomberg-2024-07-25", "facts": "/v1/sources/bloomberg-2024-07-25/facts"}})


class SourceDetailSchema(SourceSchema):
    text = F.String(required=True, metadata={"description": "The article's text; citation offsets index into it"})


SourcePageSchema = page_of(SourceSchema, "SourcePageSchema")
SourceFactPageSchema = page_of(FactSchema, "SourceFactPageSchema")


class SourceArgs(QuerySchema):
    limit = limit_field()
    cursor = cursor_field()


def _source(row, with_text=False):
    out = {key: row[key] for key in ("id", "title", "publisher", "published", "url", "language", "note", "fact_count")}
    out["links"] = {"self": f"/v1/sources/{row['id']}", "facts": f"/v1/sources/{row['id']}/facts"}
    if with_text:
        out["text"] = row["text"]
    return out


def get_source(source_id):
    return row_or_404("sources", source_id, "source")


@blp.route("")
class Sources(MethodView):
    @blp.arguments(SourceArgs, location="query")
    @blp.response(200, SourcePageSchema)
    @blp.doc(operationId="listSources", **links(item=("getSource", {"source_id": "/data/0/id"}),
                                                facts=("listSourceFacts", {"source_id": "/data/0/id"})))
    def get(self, args):
        """List sources

        Metadata of every source article with the number of facts it supports, by id.
        """
        where, params = "", []
        if args.get("cursor"):
            where, params = " WHERE id > ?", [decode_cursor("sources", args["cursor"], 1)[0]]
        columns = "id, title, publisher, published, url, language, note, fact_count"
        rows = g.db.all(f"SELECT {columns} FROM sources{where} ORDER BY id LIMIT ?", params + [args["limit"] + 1])
        body, headers = page(rows, args["limit"], "sources", lambda r: [r["id"]], _source)
        return body, 200, headers


SOURCE_ID = path_id("source_id", "Id of the source", "bloomberg-2024-07-25")


@blp.route("/<slug:source_id>", parameters=SOURCE_ID)
class Source(MethodView):
    @blp.response(200, SourceDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(operationId="getSource", **links(facts=("listSourceFacts", {"source_id": "/id"})))
    def get(self, source_id):
        """Get one source, with its text

        The article's metadata and full text; every citation's `start`/`end` offsets index into `text`.
        """
        return _source(get_source(source_id), with_text=True)


@blp.route("/<slug:source_id>/facts", parameters=SOURCE_ID)
class SourceFacts(MethodView):
    @blp.arguments(FactArgs, location="query")
    @blp.response(200, SourceFactPageSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(operationId="listSourceFacts", **STREAM_DOC, **links(item=("getFact", {"fact_id": "/data/0/id"})))
    def get(self, args, source_id):
        """The facts a source supports

        Every fact with a citation from this source, by date. Accepts every filter of `/v1/facts`.
        """
        get_source(source_id)
        return fact_list(args, generic, f"source:{source_id}", GENERIC_COLUMNS,
                         types=args.get("type") or (), source=source_id)
