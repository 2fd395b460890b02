"""``/v1`` (the dataset and its collections), ``/healthz`` and ``/readyz``."""
from flask import current_app, g
from flask.views import MethodView

from factmodel.vocabulary import FACT_TYPES

from ..blueprint import Blueprint
from ..params import NoQuerySchema
from ..queries.releases import is_empty, newest_release, previous_release
from ..shapes.meta import HealthSchema, IndexSchema, ReadySchema

blp = Blueprint("meta", __name__, description="The dataset, its version and the service's health")
COLLECTIONS = ["facts", "entities", "sources", *(ftype.path for ftype in FACT_TYPES.values())]
# every other operation family, by name (``{…}``: a path parameter, as in the spec's paths)
OPERATIONS = {
    "fact": "/v1/facts/{fact_id}", "fact_history": "/v1/facts/{fact_id}/history",
    "entity": "/v1/entities/{entity_id}", "entity_facts": "/v1/entities/{entity_id}/facts",
    "related_entities": "/v1/entities/{entity_id}/related", "unnamed_entities": "/v1/entities?type=unnamed",
    "source": "/v1/sources/{source_id}", "source_facts": "/v1/sources/{source_id}/facts",
    "search": "/v1/search", "conflicts": "/v1/conflicts", "releases": "/v1/releases", "changes": "/v1/changes",
    "downloads": "/v1/downloads", "reconcile": "/v1/reconcile", "openapi": "/openapi.json", "docs": "/docs",
}


def listed_entities():
    """How many entities ``/v1/entities`` lists without filters: all but the ``unnamed`` ones."""
    return g.db.one("SELECT count(*) AS n FROM entities WHERE type != 'unnamed'")["n"]


@blp.route("/v1")
class Index(MethodView):
    @blp.arguments(NoQuerySchema, location="query")
    @blp.response(200, IndexSchema)
    @blp.doc(operationId="getIndex")
    def get(self, _args):
        """The dataset: version, build time, counts and links

        Start here: every collection and operation family of the API is linked (paths with
        `{…}` take an id), with how many items each collection holds; `release` names the
        release served, its parent and the previous release with content changes
        (`links.changes_since_previous` lists what it changed). `X-Dataset-Version`
        (`dataset_version`) and a release id are both accepted by `since=` and `changed_since=`.
        """
        links = {name: f"/v1/{name}" for name in COLLECTIONS}
        links.update(OPERATIONS)
        newest = newest_release()
        release = None
        if newest is not None:
            release = {"id": newest["id"], "parent": newest["parent"], "previous": previous_release(newest["seq"]),
                       "empty": is_empty(newest)}
            links["release"] = f"/v1/releases/{newest['id']}"
            if release["previous"]:
                links["changes_since_previous"] = f"/v1/changes?since={release['previous']}"
        return {"dataset_version": g.db.version, "built_at": g.db.built_at,
                "schema_version": g.db.schema_version, "release": release, "counts": g.db.counts,
                "listed": {"entities": listed_entities()}, "links": links}


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
