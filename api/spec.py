"""The OpenAPI document: flask-smorest's Api with problem documents as the error shape, and
the document's ``info``/``servers``. (``python -m api.spec_file`` writes it to a file.)"""
import http

from flask_smorest import Api as _Api
from flask_smorest.spec import prepare_response

from .errors import ProblemSchema

PROBLEM = "application/problem+json"


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
        # a former id (docs/methodology.md, section 7): no body, the current URL in Location
        self.spec.components.response("MOVED", {
            "description": "The id is a former id: the resource lives at `Location` for good (ids never die). "
                           "A fact redirects into the collection of its current type.",
            "headers": {"Location": {"description": "The current URL (the query string kept)",
                                     "schema": {"type": "string"}}}}, lazy=True)

        # an id some release removed (docs/releases.md): a problem document naming that release
        response = {"description": "The id was published and then removed: the problem names the release "
                                   "that removed it (nothing ever published answers a bare 404)",
                    "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("GONE", response, lazy=True)

    def _register_pagination_header(self):
        """Nothing: lists use cursors in the body, not flask-smorest's X-Pagination header (whose
        schema would otherwise sit unused in the spec)."""


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
        "servers": [{"url": config["PUBLIC_URL"], "description": "This server (make run)"}],
        "security": [],
    }
