"""``/v1/events``: events with their own fields at top level (the ``event`` fact type)."""
from flask.views import MethodView

from factmodel.vocabulary import FACT_TYPES

from ..blueprint import Blueprint, doc_only
from ..params import CommonFactArgs, kinds_field, slug_field, slug_list
from ..typed_facts import (id_parameter, item_doc, list_doc, not_found, page_schema, role_filters, schema, typed_item,
                           typed_list)

TYPE = FACT_TYPES["event"]
blp = Blueprint("events", __name__, url_prefix="/v1/events", description=TYPE.description)


class EventsArgs(CommonFactArgs):
    kind = kinds_field(TYPE.name, "Only events of these kinds")
    actor = slug_list("Only events with all of these actors", "turkey")
    target = slug_list("Only events done to or for all of these targets", "bashar-al-assad")
    location = slug_field("Only events at this place", "idlib")


# query parameter -> the event field whose entities it matches, in that field's role (x-role)
FILTERS = role_filters(TYPE, actor="actors", target="targets", location="location")


@blp.route("")
class Events(MethodView):
    @blp.arguments(EventsArgs, location="query")
    @blp.response(200, page_schema(TYPE))
    @blp.doc(**list_doc(TYPE, EventsArgs, CommonFactArgs))
    def get(self, args):
        return typed_list(args, TYPE, FILTERS)


# An item takes no query parameters and returns a finished Response: see doc_only.
@blp.route("/<slug:fact_id>", parameters=id_parameter(TYPE, "assad-violates-idlib-ceasefire-2020-01"))
@doc_only(blp.response(200, schema(TYPE)), blp.alt_response(404, **not_found(TYPE)), blp.doc(**item_doc(TYPE)))
def get_event(fact_id):
    return typed_item(fact_id, TYPE)
