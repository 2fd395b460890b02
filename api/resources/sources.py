"""``/v1/sources``: the articles facts are drawn from."""
from flask.views import MethodView

from factmodel.facts import generic

from .. import filters
from ..blueprint import Blueprint, links, page_link, page_link_header, path_id
from ..http.pagination import after, page, page_of
from ..http.streams import STREAM_DOC
from ..listing import fact_list
from ..params import FactArgs, QuerySchema, cursor_field, limit_field
from ..queries.catalog import source_or_404, source_rows
from ..shapes.catalog import SourceDetailSchema, SourceSchema, source
from ..shapes.facets import fact_page_of
from ..shapes.fact_dumpers import GENERIC_COLUMNS
from ..shapes.facts import FactSchema

blp = Blueprint("sources", __name__, url_prefix="/v1/sources", description="Source articles and the facts each supports")
SourcePageSchema = page_of(SourceSchema, "SourcePageSchema")
SourceFactPageSchema = fact_page_of(FactSchema, "SourceFactPageSchema")
SOURCE_ID = path_id("source_id", "Id of the source", "bloomberg-2024-07-25")


class SourceArgs(QuerySchema):
    limit = limit_field()
    cursor = cursor_field()


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
        last = after("sources", args, 1)
        rows = source_rows(args["limit"] + 1, after=last[0] if last else None)
        body, headers = page(rows, args["limit"], "sources", lambda r: [r["id"]], source)
        return body, 200, headers


@blp.route("/<slug:source_id>", parameters=SOURCE_ID)
class Source(MethodView):
    @blp.response(200, SourceDetailSchema, headers=page_link_header("/sources/bloomberg-2024-07-25"))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(410, response="GONE")
    @blp.doc(operationId="getSource", **links(facts=("listSourceFacts", {"source_id": "/id"})))
    def get(self, source_id):
        """Get one source, with its text

        The article's metadata and full text; every citation's `start`/`end` offsets index into `text`.
        """
        return source(source_or_404(source_id), with_text=True), 200, page_link(f"/sources/{source_id}")


@blp.route("/<slug:source_id>/facts", parameters=SOURCE_ID)
class SourceFacts(MethodView):
    @blp.arguments(FactArgs, location="query")
    @blp.response(200, SourceFactPageSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(410, response="GONE")
    @blp.doc(operationId="listSourceFacts", **STREAM_DOC, **links(item=("getFact", {"fact_id": "/data/0/id"})))
    def get(self, args, source_id):
        """The facts a source supports

        Every fact with a citation from this source, by date. Accepts every filter of `/v1/facts`.
        """
        source_or_404(source_id)
        return fact_list(args, filters.parse(args, source=source_id), generic, f"source:{source_id}", GENERIC_COLUMNS)
