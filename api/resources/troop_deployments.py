"""``/v1/troop-deployments``: troop deployments with their own fields at top level (the ``troop_deployment`` fact type)."""
from flask.views import MethodView

from factmodel.vocabulary import FACT_TYPES

from ..blueprint import Blueprint, doc_only
from ..params import CommonFactArgs, slug_field
from ..typed_facts import (id_parameter, item_doc, list_doc, not_found, page_schema, role_filters, schema, typed_item,
                           typed_list)

TYPE = FACT_TYPES["troop_deployment"]
blp = Blueprint("troop-deployments", __name__, url_prefix="/v1/troop-deployments", description=TYPE.description)


class TroopDeploymentsArgs(CommonFactArgs):
    country = slug_field("Only troops of this country", "united-states")
    location = slug_field("Only troops at this place", "northeastern-syria")
    supporting = slug_field("Only troops supporting this entity")


# query parameter -> the troop deployment field whose entities it matches, in that field's role (x-role)
FILTERS = role_filters(TYPE, country="country", location="location", supporting="supporting")


@blp.route("")
class TroopDeployments(MethodView):
    @blp.arguments(TroopDeploymentsArgs, location="query")
    @blp.response(200, page_schema(TYPE))
    @blp.doc(**list_doc(TYPE, TroopDeploymentsArgs, CommonFactArgs))
    def get(self, args):
        return typed_list(args, TYPE, FILTERS)


# An item takes no query parameters and returns a finished Response: see doc_only.
@blp.route("/<slug:fact_id>", parameters=id_parameter(TYPE, "us-troops-northeastern-syria-2024"))
@doc_only(blp.response(200, schema(TYPE)), blp.alt_response(404, **not_found(TYPE)), blp.doc(**item_doc(TYPE)))
def get_troop_deployment(fact_id):
    return typed_item(fact_id, TYPE)
