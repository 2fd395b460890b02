"""``/v1/facts``: every fact in one common shape."""
from flask import g, request
from flask.views import MethodView
from flask_smorest import abort

from factmodel.facts import generic

from .. import filters
from ..blueprint import FACT_LINKS, Blueprint, doc_only, links, page_link, page_link_header, path_id
from ..http.json import json_response
from ..http.streams import STREAM_DOC
from ..listing import fact_list
from ..params import FactArgs, NoQuerySchema
from ..queries.changes import history_rows, renamed_to
from ..queries.facts import fact_or_404, permanent_redirect
from ..shapes.changes import FactHistorySchema, versions
from ..shapes.expand import EXPAND_PARAMETER, expanding, item_expand
from ..shapes.facets import fact_page_of
from ..shapes.fact_dumpers import GENERIC_COLUMNS
from ..shapes.facts import FactSchema

blp = Blueprint("facts", __name__, url_prefix="/v1/facts",
                description="Every fact in a common shape: common fields, `attributes`, entities and citations")
FactListSchema = fact_page_of(FactSchema, "FactListSchema")


@blp.route("")
class Facts(MethodView):
    @blp.arguments(FactArgs, location="query")
    @blp.response(200, FactListSchema)
    @blp.doc(operationId="listFacts", **STREAM_DOC, **links(item=("getFact", {"fact_id": "/data/0/id"})))
    def get(self, args):
        """List facts

        Filter by `type`, `entity` (all of them), `source`, `status`, a date range (`from`,
        `to`: facts whose span overlaps it), `valid_at` (states holding on a day),
        `attributed_to` (according to whom), `related_to` and `relation` (links between facts),
        `as_of` (only what the sources had published by then, with only those citations) and
        full text `q`. Sorted by date (the start of the span), paginated by cursor; `format=csv`
        or `format=ndjson` streams every match.
        """
        return fact_list(args, filters.parse(args), generic, "facts", GENERIC_COLUMNS)


FACT_ID = path_id("fact_id", "Id of the fact", "putin-assad-meeting-2024-07-24")


# An item takes no query parameters and returns a finished Response: see doc_only.
@blp.route("/<slug:fact_id>", parameters=FACT_ID)
@doc_only(blp.response(200, FactSchema, headers=page_link_header("/facts/putin-assad-meeting-2024-07-24")), blp.alt_response(308, response="MOVED"), blp.alt_response(410, response="GONE"),
          blp.alt_response(404, response="NOT_FOUND"),
          blp.doc(operationId="getFact", parameters=[EXPAND_PARAMETER], **links(**FACT_LINKS)))
def get_fact(fact_id):
    """Get one fact

    The fact in the common shape, with a link to its typed resource. A former id redirects
    (308) to the current one. `expand=entities` puts each entity's name, type and aliases inline.
    """
    convert = expanding(generic) if request.args and item_expand() else generic
    return json_response(convert(fact_or_404(fact_id)), page_link(f"/facts/{fact_id}"))


@blp.route("/<slug:fact_id>/history", parameters=FACT_ID)
class FactHistory(MethodView):
    @blp.arguments(NoQuerySchema, location="query")
    @blp.response(200, FactHistorySchema)
    @blp.alt_response(308, response="MOVED")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(operationId="getFactHistory")
    def get(self, args, fact_id):
        """Get a fact's history

        Every version of the fact across releases, oldest first: the release, the change
        (`added`, `modified`, `removed`, `renamed`), the fields it changed, the fact as the
        seeds said it then, and `diff`: each value it changed, before and after, at its path in
        the served fact, marked when the change is whitespace only. The versions under its former ids are included; a former id
        redirects (308) to the current one's history. A removed fact still has its history,
        the removal last.
        """
        current = g.db.one("SELECT 1 FROM facts WHERE id = ?", (fact_id,)) is not None
        if not current and (new_id := renamed_to(fact_id)):
            permanent_redirect(f"/v1/facts/{new_id}/history")
        rows = history_rows(fact_id)
        if not current and not rows:
            abort(404, message=f"No fact with id {fact_id!r} in any release.")
        return {"id": fact_id, "current": current, "versions": versions(rows)}
