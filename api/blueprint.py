"""Routes: the Blueprint every resource uses, the id path segment, and the documentation
helpers of route decorators (path parameters, OpenAPI links, :func:`doc_only`)."""
from flask_smorest import Blueprint as _Blueprint
from werkzeug.routing import BaseConverter

from .params import MAX_ID, Parser

# 400: the request breaks the published schema (a wrong type, a value out of range or not
# matching its pattern, an unknown or repeated parameter). 422: every parameter conforms to the
# schema, but a value is unusable in substance, which no schema can say: an id of no entity or
# source, free text without a word to search for, a cursor this API did not sign for this list
# and order (tampered, truncated, foreign), a date of the documented form that is no day of the
# calendar (2021-02-30). So a request a generator makes from the spec alone never gets a 400.
UNPROCESSABLE = 422


class Blueprint(_Blueprint):
    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema, **kwargs):
        """flask-smorest's, also documenting the 422 of :data:`UNPROCESSABLE` when the
        schema's values can name things (``NAMES_THINGS``, true unless a schema says not)."""
        if isinstance(schema, type):
            schema = schema()  # one instance for every request: webargs instantiates a class each time
        decorate = super().arguments(schema, **kwargs)
        if not getattr(schema, "NAMES_THINGS", True):
            return decorate

        def decorator(func):
            view = decorate(func)
            view._apidoc["arguments"]["responses"][UNPROCESSABLE] = "UNPROCESSABLE"
            return view

        return decorator


def doc_only(*decorators):
    """Apply flask-smorest decorators for the OpenAPI document only: the view runs undecorated.

    For function views that take no query parameters and return a finished ``Response`` (the
    items, ``/v1/facts/{id}``…): flask-smorest reads what ``@blp.response``/``@blp.doc`` record
    (``_apidoc``) when the route is registered, so the spec is the same, but the wrappers they
    add would only pass the response through (about 14% of an item GET, docs/benchmarks.md).
    """
    def wrap(func):
        documented = func
        for decorate in reversed(decorators):
            documented = decorate(documented)
        if "arguments" in documented._apidoc:
            raise TypeError(f"{func.__name__}: a doc_only view takes no query parameters")
        func._apidoc = documented._apidoc
        return func

    return wrap


class SlugConverter(BaseConverter):
    """Path segments that can be ids: anything else is a 404 before any view runs."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"
    part_isolating = True

    @staticmethod
    def spec(converter):
        return {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": MAX_ID}


def path_id(name, description, example):
    """Route ``parameters`` doc for an id in the path (its schema comes from :class:`SlugConverter`)."""
    return [{"in": "path", "name": name, "description": description, "example": example}]


def links(**targets):
    """``@blp.doc`` argument: OpenAPI links from the 200 response to other operations.

    ``targets``: ``{link name: (operationId, {parameter: runtime expression})}``; the expression
    is a JSON pointer into the response body (``/data/0/id``: the first item of a page).
    """
    return {"responses": {200: {"links": {
        name: {"operationId": op, "parameters": {param: f"$response.body#{pointer}" for param, pointer in params.items()}}
        for name, (op, params) in targets.items()}}}}


# the links every fact's 200 response carries to the things it refers to
FACT_LINKS = {"entity": ("getEntity", {"entity_id": "/entities/0/id"}),
              "source": ("getSource", {"source_id": "/citations/0/source"})}


def page_link(path):
    """The ``Link`` header of a JSON item that has a page a person can read and cite
    (api/pages/views.py): ``path`` is the page's, e.g. ``/facts/{id}``."""
    return {"Link": f'<{path}>; rel="alternate"; type="text/html"'}


def page_link_header(example):
    """The documented ``Link`` header of :func:`page_link` (``example``: a page's path)."""
    return {"Link": {"description": "The item's page, for people to read, check and cite (`rel=\"alternate\"`, HTML)",
                     "schema": {"type": "string"}, "example": f'<{example}>; rel="alternate"; type="text/html"'}}
