"""``/v1`` (the dataset and its collections), ``/healthz`` and ``/readyz``."""
from flask import current_app, g
from flask.views import MethodView

from factmodel.vocabulary import FACT_TYPES

from ..blueprint import Blueprint
from ..params import NoQuerySchema
from ..shapes.meta import HealthSchema, IndexSchema, ReadySchema

blp = Blueprint("meta", __name__, description="The dataset, its version and the service's health")
COLLECTIONS = ["facts", "entities", "sources", *(ftype.path for ftype in FACT_TYPES.values())]


@blp.route("/v1")
class Index(MethodView):
    @blp.arguments(NoQuerySchema, location="query")
    @blp.response(200, IndexSchema)
    @blp.doc(operationId="getIndex")
    def get(self, _args):
        """The dataset: version, build time, counts and links

        Start here: every collection of the API is linked, with how many items it holds.
        """
        links = {name: f"/v1/{name}" for name in COLLECTIONS}
        links.update(search="/v1/search", openapi="/openapi.json", docs="/docs")
        return {"dataset_version": g.db.version, "built_at": g.db.built_at,
                "schema_version": g.db.schema_version, "counts": g.db.counts, "links": links}


@blp.route("/healthz")
class Health(MethodView):
    @blp.arguments(NoQuerySchema, location="query")
    @blp.response(200, HealthSchema)
    @blp.doc(operationId="getHealth")
    def get(self, _args):
        """Liveness

        Answers 200 while the process serves requests, whatever the state of the database.
        """
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.arguments(NoQuerySchema, location="query")
    @blp.response(200, ReadySchema)
    @blp.alt_response(503, description="The database is not available")
    @blp.doc(operationId="getReadiness")
    def get(self, _args):
        """Readiness

        Answers 200 with the dataset version once a dataset is served, 503 otherwise. A file at the served path that failed the dataset check is named in `rejected`, with the reason: the last good dataset goes on being served, and this answers 200.
        """
        return {"status": "ready", "dataset_version": g.db.version, "built_at": g.db.built_at,
                "schema_version": g.db.schema_version, **current_app.extensions["kb_db"].status()}
