"""``/v1/search``: ranked full-text hits across entities, facts and sources."""
import marshmallow as ma
from flask import g
from flask.views import MethodView

from ..blueprint import Blueprint
from ..http.json import json_response
from ..http.pagination import after, page, page_of
from ..params import QuerySchema, cursor_field, limit_field
from ..queries.catalog import search_rows, set_matched_entities
from ..search import queries as search_queries
from ..search.fts import fts_or_422
from ..shapes.catalog import HIT_KINDS, HitSchema, hit

F = ma.fields
blp = Blueprint("search", __name__, url_prefix="/v1/search", description="Full-text search across the knowledge base")
SearchPageSchema = page_of(HitSchema, "SearchPageSchema")


class SearchArgs(QuerySchema):
    q = F.String(required=True, validate=ma.validate.Length(1, 200), metadata={
        "description": "Words to find (case- and diacritic-insensitive; each word also matches as a prefix)",
        "example": "ceasefire Idlib"})
    kind = F.List(F.String(validate=ma.validate.OneOf(HIT_KINDS)), validate=ma.validate.Length(max=len(HIT_KINDS)),
                  metadata={"description": "Only hits of these kinds (repeatable)"})
    limit = limit_field()
    cursor = cursor_field()


@blp.route("")
class Search(MethodView):
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, SearchPageSchema)
    @blp.doc(operationId="search")
    def get(self, args):
        """Search

        Ranked hits (BM25, titles weigh more) across entity names and aliases, fact summaries,
        statement texts and quotes, and source texts. A fact is also found through the names and
        aliases of the entities it involves (`matched_entities` names them), which add nothing to
        its score: found through them alone, it scores 0 and ranks after every hit found in its
        own text.
        """
        return json_response(*hits(args))


def hits(args):
    """The page of hits of the parsed search ``args`` and its headers (the search page shows the same)."""
    match = fts_or_422(args["q"])
    index = g.db.search_index()
    if index is not None:  # -- search index hook: the Tantivy index (api/search/queries.py)
        rows = search_queries.search_rows(g.db, index, args)
        set_matched_entities(rows[:args["limit"]], args["q"])
        return page(rows, args["limit"], search_queries.CURSOR_SCOPE, lambda r: [r["offset"]], hit)
    rows = search_rows(match, args["limit"] + 1, kinds=args.get("kind"), after=after("search", args, 2),
                       snippets_for=args["limit"])
    set_matched_entities(rows[:args["limit"]], args["q"])
    return page(rows, args["limit"], "search", lambda r: [r["rank"], r["id"]], hit)
