"""Serve-time code: the read-only HTTP API over the knowledge-base SQLite file."""
import functools
import http
import inspect

from flask import Flask
from flask_smorest import Api as _Api
from flask_smorest.spec import prepare_response

from . import caching, errors, search_index
from .common import ProblemSchema, SlugConverter
from .config import Config
from .db import Database
from .json import OrjsonProvider
from .spec_plugins import StreamFormats

PROBLEM = "application/problem+json"


class ApiFlask(Flask):
    """Flask, remembering which functions are coroutines: Flask asks ``inspect`` again for every
    view, hook and decorator layer of every request, about the same few functions."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._is_coroutine = {}

    def ensure_sync(self, func):
        key = getattr(func, "__func__", func)  # a MethodView's bound method: a new one per request
        try:
            is_coroutine = self._is_coroutine[key]
        except KeyError:
            is_coroutine = self._is_coroutine[key] = inspect.iscoroutinefunction(func)
        except TypeError:  # unhashable: ask every time
            return super().ensure_sync(func)
        return self.async_to_sync(func) if is_coroutine else func


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
        response = {"description": "The parameters are well formed but name nothing usable: an unknown "
                                   "entity or source, free text without a word to search for",
                    "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("UNPROCESSABLE", response, lazy=True)

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


def _call_direct_views_directly(app):
    """Call the ``DIRECT`` views without their MethodView and flask-smorest layers.

    Such a view (an item: ``/v1/facts/{id}``, ``/v1/meetings/{id}``…) takes no query parameters
    and returns a finished ``Response``: the layers around it only document it (flask-smorest
    builds the spec when the blueprint is registered, so the spec stays the same) and pass the
    response through, five calls per request on the hottest path. HEAD is served by the same
    function, as MethodView does; errors are raised through it unchanged.
    """
    for endpoint, view in list(app.view_functions.items()):
        cls = getattr(view, "view_class", None)
        if cls is None or not getattr(cls, "DIRECT", False):
            continue
        if cls.methods != {"GET"} or "arguments" in getattr(cls.get, "_apidoc", {}):
            raise TypeError(f"{endpoint}: a DIRECT view has GET only and takes no query parameters")
        get, instance = inspect.unwrap(cls.get), cls()

        def direct(_get=get, _self=instance, **view_args):
            return _get(_self, **view_args)

        app.view_functions[endpoint] = functools.update_wrapper(direct, view)


def create_app(config=None):
    """App factory. ``config`` is a mapping that overrides :class:`api.config.Config`."""
    app = ApiFlask(__name__)
    app.json = OrjsonProvider(app)
    app.config.from_mapping(Config.as_dict())
    app.config.update(config or {})
    app.config["API_SPEC_OPTIONS"] = spec_options(app.config)
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.strict_slashes = False
    index_cache = app.config["INDEX_CACHE"] or search_index.default_cache_dir()
    app.extensions["kb_db"] = Database(app.config["KB_DB"], app.config["QUERY_TIME_LIMIT_MS"],
                                       None if index_cache == "off" else index_cache)

    api = Api(app, spec_kwargs={"extra_plugins": [StreamFormats()]})
    api.register_converter(SlugConverter, SlugConverter.spec)
    from . import docs, entities, facts, index, search, sources, typed

    for blp in [index.blp, facts.blp, *typed.blueprints, entities.blp, sources.blp, search.blp]:
        api.register_blueprint(blp)
    _call_direct_views_directly(app)
    app.register_blueprint(docs.blp)
    errors.register(app)
    app.before_request(caching.before_request)
    app.wsgi_app = caching.Protocol(app.wsgi_app, app)  # request ids, early 304s, protocol headers
    return app
