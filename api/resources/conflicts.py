"""``/v1/conflicts`` (issue 16): each pair of facts linked by ``conflicts_with`` (stated in the
seeds or found by the build's rules, kb/conflicts.py), the competing facts side by side (the SQL:
:mod:`api.queries.conflicts`; the shape: :mod:`api.shapes.conflicts`)."""
import marshmallow as ma
from flask.views import MethodView

from factmodel import vocabulary
from factmodel.facts import generic

from ..blueprint import Blueprint, links
from ..filters import window_or_422
from ..http.json import json_response
from ..http.pagination import after, page, page_of
from ..params import CommonFactArgs, QuerySchema, cursor_field, limit_field, slug_field
from ..queries.conflicts import conflict_rows, fact_rows_of
from ..queries.facts import require_entities
from ..shapes.conflicts import ConflictSchema

F = ma.fields
blp = Blueprint("conflicts", __name__, url_prefix="/v1/conflicts",
                description="Facts that cannot both be true, side by side")


class ConflictArgs(QuerySchema):
    type = F.List(F.String(validate=ma.validate.OneOf(vocabulary.TYPES)),
                  validate=ma.validate.Length(max=len(vocabulary.TYPES)),
                  metadata={"description": "Only conflicts involving a fact of these types (repeatable)"})
    entity = slug_field("Only conflicts where either fact involves this entity", "united-states")
    from_ = CommonFactArgs._declared_fields["from_"]
    to = CommonFactArgs._declared_fields["to"]
    time_match = CommonFactArgs._declared_fields["time_match"]
    limit = limit_field()
    cursor = cursor_field()


ConflictPageSchema = page_of(ConflictSchema, "ConflictPageSchema")


@blp.route("")
class Conflicts(MethodView):
    @blp.arguments(ConflictArgs, location="query")
    @blp.response(200, ConflictPageSchema)
    @blp.doc(operationId="listConflicts", **links(fact=("getFact", {"fact_id": "/data/0/facts/0/id"})))
    def get(self, args):
        """List conflicts

        Each pair of facts linked by `conflicts_with` (a curator's, or the build's rules': two
        troop counts of the same country at the same place with overlapping spans), both facts in
        full, by the pair's ids. Filter by `type` (either fact), `entity` (either fact involves
        it), `from`/`to` (either fact matches the window, for certain unless `time_match=possible`).
        """
        window = window_or_422(args)
        require_entities([args.get("entity")], "entity")
        rows = conflict_rows(args, window, args["limit"] + 1, after("conflicts", args, 2))
        facts = {r["id"]: generic(r) for r in fact_rows_of({i for r in rows for i in r})}
        body, headers = page(rows, args["limit"], "conflicts", lambda r: [r[0], r[1]],
                             lambda r: {"facts": [facts[r[0]], facts[r[1]]]})
        return json_response(body, headers)
