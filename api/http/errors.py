"""Every error is an RFC 9457 problem document (``application/problem+json``)."""
import logging

import marshmallow as ma
from flask import current_app, request
from werkzeug.exceptions import HTTPException, InternalServerError

from ..exceptions import QueryTimeout, Unavailable

PROBLEM_TYPE = "https://syria-kb.example/problems/"
log = logging.getLogger("api.errors")


class ProblemSchema(ma.Schema):
    """RFC 9457 problem document."""

    type = ma.fields.String(required=True, metadata={"example": "https://syria-kb.example/problems/not-found"})
    title = ma.fields.String(required=True, metadata={"example": "Not Found"})
    status = ma.fields.Integer(required=True, metadata={"example": 404})
    detail = ma.fields.String(required=True, metadata={"example": "No fact with id 'nope'."})
    instance = ma.fields.String(metadata={"example": "/v1/facts/nope"})
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), metadata={
        "description": "Messages per parameter, for validation failures", "example": {"limit": ["Must be between 1 and 100."]}})


def problem(status, title, detail, *, slug=None, errors=None, headers=None):
    body = {
        "type": PROBLEM_TYPE + (slug or str(status)),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _strings(messages, prefix=""):
    """Marshmallow nests messages for list items (``{"status": {0: ["Must be one of…"]}}``);
    the documented shape is a list of strings per parameter, so say which item instead."""
    if isinstance(messages, dict):
        return [text for key, sub in messages.items() for text in _strings(sub, f"{prefix}item {key}: ")]
    if isinstance(messages, (list, tuple)):
        return [text for sub in messages for text in _strings(sub, prefix)]
    return [f"{prefix}{messages}"]


def _flatten(messages):
    """webargs reports ``{"query": {"limit": [...]}}``; clients want ``{"limit": [...]}``."""
    flat = {}
    for location, fields in (messages or {}).items():
        if isinstance(fields, dict):
            for name, msgs in fields.items():
                flat[str(name)] = _strings(msgs)
        else:
            flat[str(location)] = _strings(fields)
    return flat


def handle_http_exception(error):
    data = getattr(error, "data", None) or {}
    headers = {}
    if error.code == 405:
        headers["Allow"] = ", ".join(error.valid_methods or [])
    if error.code >= 500:
        if isinstance(error, InternalServerError) and error.original_exception is not None:
            log.error("unhandled error", exc_info=error.original_exception)
        return problem(error.code, error.name, "The server could not complete the request.", slug="internal")
    errors = data.get("errors") or _flatten(data.get("messages"))
    if errors and error.code == 422:
        # well-formed values the request cannot be answered with: see api.blueprint.UNPROCESSABLE
        detail = "Parameter(s) valid in form but unusable: " + ", ".join(sorted(errors))
        return problem(422, "Unprocessable request parameters", detail, slug="unprocessable-parameters",
                       errors=errors, headers=headers)
    if errors:
        detail = "Invalid parameter(s): " + ", ".join(sorted(errors))
        return problem(error.code, "Invalid request parameters" if error.code == 400 else error.name, detail,
                       slug="invalid-parameters", errors=errors, headers=headers)
    detail = data.get("message") or error.description
    return problem(error.code, error.name, detail, slug=error.name.lower().replace(" ", "-"), headers=headers)


def handle_unavailable(error):
    return problem(503, "Service Unavailable", str(error), slug="unavailable", headers={"Retry-After": "5"})


def handle_timeout(error):
    limit = current_app.config["QUERY_TIME_LIMIT_MS"]
    return problem(400, "Query too expensive",
                   f"The query ran past the {limit} ms limit; narrow it with more specific filters.",
                   slug="query-too-expensive")


def handle_unexpected(error):
    log.error("unhandled error", exc_info=error)
    return problem(500, "Internal Server Error", "The server could not complete the request.", slug="internal")


def register(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Unavailable, handle_unavailable)
    app.register_error_handler(QueryTimeout, handle_timeout)
    app.register_error_handler(Exception, handle_unexpected)
