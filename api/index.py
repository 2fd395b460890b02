"""``/v1`` (the dataset and its collections), ``/healthz`` and ``/readyz``."""
import marshmallow as ma
from flask import g
from flask.views import MethodView

from .common import Blueprint, NoQuerySchema

F = ma.fields
blp = Blueprint("meta", __name__, description="The dataset, its version and the service's health")
COLLECTIONS = ["facts", "entities", "sources", "meetings", "troop-deployments", "leases", "events", "statements",
               "positions"]


class IndexSchema(ma.Schema):
    dataset_version = F.String(required=True, metadata={"description": "SHA-256 of the canonical seed content"})
    built_at = F.String(required=True, metadata={"description": "UTC time the database was built",
                                                 "example": "2026-11-22T20:00:19Z"})
    schema_version = F.String(required=True, metadata={"example": "1"})
    counts = F.Dict(keys=F.String(), values=F.Integer(), required=True,
                    metadata={"example": {"facts": 53, "entities": 26, "sources": 2}})
    links = F.Dict(keys=F.String(), values=F.String(), required=True,
                   metadata={"example": {"facts": "/v1/facts", "search": "/v1/search"}})


class HealthSchema(ma.Schema):
    status = F.String(required=True, metadata={"example": "ok"})


class ReadySchema(HealthSchema):
    dataset_version = F.String(required=True)
    built_at = F.String(required=True)


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

        Answers 200 with the dataset version once the database is open, 503 otherwise.
        """
        return {"status": "ready", "dataset_version": g.db.version, "built_at": g.db.built_at}
