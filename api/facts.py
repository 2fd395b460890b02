"""``/v1/facts``: every fact in one common shape."""
from flask import g
from flask.views import MethodView
from flask_smorest import abort

from .common import Blueprint, links, page_of, path_id
from .fact_lists import GENERIC_COLUMNS, STREAM_DOC, fact_list, generic
from .fact_query import FACT_COLUMNS
from .fact_schemas import FactArgs, FactSchema
from .json import json_response

blp = Blueprint("facts", __name__, url_prefix="/v1/facts",
                description="Every fact in a common shape: common fields, `attributes`, entities and citations")
FactListSchema = page_of(FactSchema, "FactListSchema")


def get_fact_row(fact_id, ftype=None):
    row = g.db.one(f"SELECT {FACT_COLUMNS} FROM facts f WHERE f.id = ?", (fact_id,))
    if row is None or (ftype and row["type"] != ftype):
        abort(404, message=f"No {(ftype or 'fact').replace('_', ' ')} with id {fact_id!r}.")
    return row


@blp.route("")
class Facts(MethodView):
    @blp.arguments(FactArgs, location="query")
    @blp.response(200, FactListSchema)
    @blp.doc(operationId="listFacts", **STREAM_DOC, **links(item=("getFact", {"fact_id": "/data/0/id"})))
    def get(self, args):
        """List facts

        Filter by `type`, `entity` (all of them), `source`, `status`, a date range (`from`,
        `to`: facts whose date interval overlaps it), `as_of` (only what the sources had
        published by then) and full text `q`. Sorted by date, paginated by cursor; `format=csv`
        or `format=ndjson` streams every match.
        """
        return fact_list(args, generic, "facts", GENERIC_COLUMNS, types=args.get("type") or ())


@blp.route("/<slug:fact_id>", parameters=path_id("fact_id", "Id of the fact", "putin-assad-meeting-2024-07-24"))
class Fact(MethodView):
    DIRECT = True  # returns a Response: called without its decorators (api._call_direct_views_directly)

    @blp.response(200, FactSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(operationId="getFact", **links(entity=("getEntity", {"entity_id": "/entities/0/id"}),
                                           source=("getSource", {"source_id": "/citations/0/source"})))
    def get(self, fact_id):
        """Get one fact

        The fact in the common shape, with a link to its typed resource.
        """
        return json_response(generic(get_fact_row(fact_id)))
