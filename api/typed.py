"""The six typed fact resources (``/v1/meetings`` …): type fields at top level, so generated
SDKs get concrete models. One Blueprint per resource, made by :func:`typed_blueprint`."""
import marshmallow as ma
from flask.views import MethodView

from .common import Blueprint, links, page_of, path_id, slug_field, slug_list
from .fact_lists import COMMON, STREAM_DOC, fact_list, require_entities, typed
from .fact_schemas import EVENT_KINDS, STATEMENT_KINDS, TYPED_SCHEMAS, CommonFactArgs, FactBaseSchema
from .facts import get_fact_row
from .json import json_response

F = ma.fields


def kinds(values, description):
    return F.List(F.String(validate=ma.validate.OneOf(values)), validate=ma.validate.Length(max=len(values)),
                  metadata={"description": description + " (repeatable)"})


# type -> (path, singular name, plural name, {query parameter: (field, role or None)}, description)
RESOURCES = {
    "meeting": ("meetings", "Meeting", "Meetings", {
        "participant": (slug_list("Only meetings with all of these participants", "vladimir-putin"), "participant"),
        "location": (slug_field("Only meetings at this place"), "location"),
    }, "Meetings between leaders, held or predicted"),
    "troop_deployment": ("troop-deployments", "TroopDeployment", "TroopDeployments", {
        "country": (slug_field("Only troops of this country", "united-states"), "country"),
        "location": (slug_field("Only troops at this place", "northeastern-syria"), "location"),
        "supporting": (slug_field("Only troops supporting this entity"), "supporting"),
    }, "Troop numbers: whose, how many, where, as of when"),
    "lease": ("leases", "Lease", "Leases", {
        "lessee": (slug_field("Only leases held by this entity", "russia"), "lessee"),
        "lessor": (slug_field("Only leases granted by this entity"), "lessor"),
        "asset": (slug_field("Only leases of this asset", "tartus-port"), "asset"),
    }, "Leases: who leases what, for how long"),
    "event": ("events", "Event", "Events", {
        "kind": (kinds(EVENT_KINDS, "Only events of these kinds"), None),
        "actor": (slug_list("Only events with all of these actors", "turkey"), "actor"),
        "location": (slug_field("Only events at this place", "idlib"), "location"),
    }, "Wars, interventions, ceasefires and other events"),
    "statement": ("statements", "Statement", "Statements", {
        "speaker": (slug_field("Only statements by this entity", "dmitry-peskov"), "speaker"),
        "kind": (kinds(STATEMENT_KINDS, "Only statements of these kinds"), None),
        "about": (slug_list("Only statements about all of these entities"), "about"),
    }, "Who said what: quotes, claims, denials, predictions, stances"),
    "position": ("positions", "Position", "Positions", {
        "holder": (slug_field("Only positions held by this entity", "dmitry-peskov"), "holder"),
        "organization": (slug_field("Only positions in this organization", "kremlin"), "organization"),
    }, "Who holds which position"),
}
# an id of each type in the seeds: the example of its item operation's path parameter
EXAMPLE_IDS = {"meeting": "putin-assad-meeting-2024-07-24", "troop_deployment": "us-troops-northeastern-syria-2024",
               "lease": "russia-tartus-port-lease", "event": "assad-violates-idlib-ceasefire-2020-01",
               "statement": "putin-unhappy-with-assad-claim-2020", "position": "assad-president-of-syria-2020"}
# the links every fact's 200 response carries to the things it refers to
FACT_LINKS = {"entity": ("getEntity", {"entity_id": "/entities/0/id"}),
              "source": ("getSource", {"source_id": "/citations/0/source"})}


def typed_blueprint(ftype):
    path, singular, plural, filters, description = RESOURCES[ftype]
    schema = TYPED_SCHEMAS[ftype]
    args_schema = type(f"{plural}Args", (CommonFactArgs,), {name: field for name, (field, _) in filters.items()})
    page_schema = page_of(schema, f"{singular}PageSchema")
    own = [name for name in schema().fields if name not in FactBaseSchema().fields]
    columns = [*COMMON, *own, "entities", "citations"]
    table = path.replace("-", "_")
    blp = Blueprint(path, __name__, url_prefix=f"/v1/{path}", description=description)

    class Collection(MethodView):
        @blp.arguments(args_schema, location="query")
        @blp.response(200, page_schema)
        @blp.doc(operationId=f"list{plural}", summary=f"List {path.replace('-', ' ')}",
                 description=f"{description}. Accepts the common fact filters plus "
                             + ", ".join(f"`{name}`" for name in filters) + ".", **STREAM_DOC,
                 **links(item=(f"get{singular}", {"fact_id": "/data/0/id"})))
        def get(self, args):
            roles = []
            for name, (_, role) in filters.items():
                values = args.get(name)
                if role and values:
                    values = values if isinstance(values, list) else [values]
                    require_entities(values, name)
                    roles.extend((role, value) for value in values)
            return fact_list(args, typed, path, columns, types=[ftype], roles=roles,
                             kind=(table, args.get("kind")) if "kind" in filters else None)

    class Item(MethodView):
        DIRECT = True  # returns a Response: called without its decorators (api._call_direct_views_directly)

        @blp.response(200, schema)
        @blp.alt_response(404, response="NOT_FOUND", description=f"No {ftype.replace('_', ' ')} with this id")
        @blp.doc(operationId=f"get{singular}", summary=f"Get one {path.rstrip('s').replace('-', ' ')}",
                 description=f"The {ftype.replace('_', ' ')} with its fields at top level.",
                 **links(fact=("getFact", {"fact_id": "/id"}), **FACT_LINKS))
        def get(self, fact_id):
            return json_response(typed(get_fact_row(fact_id, ftype)))

    blp.route("")(Collection)
    blp.route("/<slug:fact_id>", parameters=path_id("fact_id", f"Id of the {ftype.replace('_', ' ')}",
                                                     EXAMPLE_IDS[ftype]))(Item)
    return blp


blueprints = [typed_blueprint(ftype) for ftype in RESOURCES]
