"""The OpenAPI document: flask-smorest's Api with problem documents as the error shape, and
the document's ``info``/``servers``. (``python -m api.spec_file`` writes it to a file.)"""
import http

import flask
import marshmallow as ma
from flask_smorest import Api as _Api
from flask_smorest.spec import prepare_response

from .http.errors import ProblemSchema
from .http.public_url import public_base

PROBLEM = "application/problem+json"


class MovedSchema(ma.Schema):
    """The body of a 308: where the resource lives now (as ``Location``), for a client that does not follow it."""

    status = ma.fields.Integer(required=True, metadata={"example": 308})
    title = ma.fields.String(required=True, metadata={"example": "Permanent Redirect"})
    location = ma.fields.String(required=True, metadata={
        "description": "The current URL, as `Location` says it", "example": "/v1/statements/assad-open-to-restoring-ties"})
    detail = ma.fields.String(required=True)


class Api(_Api):
    """flask-smorest's Api with RFC 9457 problem documents as the documented error shape."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)
        # 422 under a name of our own: http.HTTPStatus renames it (UNPROCESSABLE_CONTENT) in 3.13
        response = {"description": "Every parameter conforms to the schema, but a value is unusable: an unknown "
                                   "entity, source or fact, free text without a word to search for, a cursor this "
                                   "API did not issue for this list and sort order (start again without it), "
                                   "a date of the documented form that is no calendar day (2021-02-30)",
                    "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("UNPROCESSABLE", response, lazy=True)
        # a former id (docs/methodology.md, section 7): the current URL in Location and in a JSON body
        response = {"description": "The id is a former id: the resource lives at `Location` for good (ids never die). "
                                   "A fact redirects into the collection of its current type.",
                    "schema": MovedSchema,
                    "headers": {"Location": {"description": "The current URL (the query string kept)",
                                             "schema": {"type": "string"}}}}
        prepare_response(response, self.spec, "application/json")
        self.spec.components.response("MOVED", response, lazy=True)

        # an id some release removed (docs/releases.md): a problem document naming that release
        response = {"description": "The id was published and then removed: the problem names the release "
                                   "that removed it (nothing ever published answers a bare 404)",
                    "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("GONE", response, lazy=True)

    def _openapi_json(self):
        """The spec, its ``servers`` this server's public address (api/http/public_url.py)."""
        spec = dict(self.spec.to_dict(), servers=[{"url": public_base(), "description": SERVERS_DESCRIPTION}])
        return flask.current_app.response_class(flask.json.dumps(spec, indent=2, sort_keys=False),
                                                mimetype="application/json")

    def _register_pagination_header(self):
        """Nothing: lists use cursors in the body, not flask-smorest's X-Pagination header (whose
        schema would otherwise sit unused in the spec)."""


MAKE_RUN_URL = "http://127.0.0.1:8000"
SERVERS_DESCRIPTION = "This server: KB_PUBLIC_URL, else the address the request came to"


def spec_options(config):
    return {
        "info": {
            "description": (
                "Hand-curated facts about the region's politics. Every fact carries its date and "
                "precision, its status (stated, reported, predicted, denied) and verbatim quotes "
                "from named sources with their character offsets."),
            "contact": {"name": "Knowledge base team", "url": "https://syria-kb.example/contact",
                        "email": "kb@syria-kb.example"},
            "license": {"name": "CC BY 4.0 (data), MIT (code)", "identifier": "CC-BY-4.0"},
        },
        # replaced, in each answer, by the address the request came to (Api._openapi_json)
        "servers": [{"url": config["PUBLIC_URL"] or MAKE_RUN_URL, "description": SERVERS_DESCRIPTION}],
        "security": [],
    }
