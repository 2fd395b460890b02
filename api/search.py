"""``/v1/search``: ranked full-text hits across entities, facts and sources."""
import marshmallow as ma
from flask import g
from flask.views import MethodView
from flask_smorest import abort

from . import search_index
from .common import UNPROCESSABLE, Blueprint, QuerySchema, cursor_field, decode_cursor, limit_field, page, page_of
from .fact_query import fts_query
from .json import json_response

F = ma.fields
KINDS = ["entity", "fact", "source"]
LINKS = {"entity": "/v1/entities/", "fact": "/v1/facts/", "source": "/v1/sources/"}
blp = Blueprint("search", __name__, url_prefix="/v1/search", description="Full-text search across the knowledge base")


class SearchArgs(QuerySchema):
    q = F.String(required=True, validate=ma.validate.Length(1, 200), metadata={
        "description": "Words to find (case- and diacritic-insensitive; each word also matches as a prefix)",
        "example": "ceasefire Idlib"})
    kind = F.List(F.String(validate=ma.validate.OneOf(KINDS)), validate=ma.validate.Length(max=3),
                  metadata={"description": "Only hits of these kinds (repeatable)"})
    limit = limit_field()
    cursor = cursor_field()


class HitSchema(ma.Schema):
    kind = F.String(required=True, validate=ma.validate.OneOf(KINDS), metadata={"example": "fact"})
    id = F.String(required=True, metadata={"example": "assad-violates-idlib-ceasefire-2020-01"})
    title = F.String(required=True)
    snippet = F.String(required=True, metadata={
        "description": "Matching text with each match wrapped in <mark>…</mark>",
        "example": "Assad violated a <mark>ceasefire</mark> in rebel-held <mark>Idlib</mark> in January 2020"})
    score = F.Float(required=True, metadata={"description": "Relevance, higher is better"})
    link = F.String(required=True, metadata={"example": "/v1/facts/assad-violates-idlib-ceasefire-2020-01"})


SearchPageSchema = page_of(HitSchema, "SearchPageSchema")


def _hit(row):
    return {"kind": row["kind"], "id": row["ref_id"], "title": row["title"], "snippet": row["snippet"],
            "score": round(-row["rank"], 6), "link": LINKS[row["kind"]] + row["ref_id"]}


@blp.route("")
class Search(MethodView):
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, SearchPageSchema)
    @blp.doc(operationId="search")
    def get(self, args):
        """Search

        Ranked hits (BM25, titles weigh more) across entity names and aliases, fact summaries,
        statement texts and quotes, and source texts.
        """
        match = fts_query(args["q"])
        if match is None:
            abort(UNPROCESSABLE, errors={"q": ["must contain at least one letter or digit"]})
        index = g.db.search_index()
        if index is not None:  # -- search index hook: the Tantivy index of api/search_index.py
            rows = search_index.search_rows(g.db, index, args)
            body, headers = page(rows, args["limit"], search_index.CURSOR_SCOPE, lambda r: [r["offset"]], _hit)
            return json_response(body, headers)
        where, params = ["search_fts MATCH ?"], [match]
        if args.get("kind"):
            where.append(f"s.kind IN ({', '.join('?' * len(args['kind']))})")
            params.extend(args["kind"])
        inner = ("SELECT s.id, s.kind, s.ref_id, s.title, bm25(search_fts, 10.0, 1.0) AS rank "
                 "FROM search_fts JOIN search s ON s.id = search_fts.rowid WHERE " + " AND ".join(where))
        sql = f"SELECT * FROM ({inner})"
        if args.get("cursor"):
            rank, last_id = decode_cursor("search", args["cursor"], 2)
            sql += " WHERE (rank, id) > (?, ?)"
            params.extend([rank, last_id])
        sql += " ORDER BY rank, id LIMIT ?"
        rows = [dict(row) for row in g.db.all(sql, params + [args["limit"] + 1])]
        # Snippets only for the hits on the page: SQLite would compute one for every match
        # before sorting, and a snippet tokenizes the whole text (a source's is long). The page
        # is joined to one pass over the matches: `rowid IN (…)` would run the MATCH once per id.
        shown = rows[:args["limit"]]
        if shown:
            snippets = dict(g.db.all(
                f"WITH page(id) AS (VALUES {', '.join('(?)' for _ in shown)}) "
                "SELECT search_fts.rowid, snippet(search_fts, -1, '<mark>', '</mark>', '…', 16) "
                "FROM search_fts CROSS JOIN page ON page.id = search_fts.rowid WHERE search_fts MATCH ?",
                [*(r["id"] for r in shown), match]))
            for row in shown:
                row["snippet"] = snippets[row["id"]]
        body, headers = page(rows, args["limit"], "search", lambda r: [r["rank"], r["id"]], _hit)
        return json_response(body, headers)
