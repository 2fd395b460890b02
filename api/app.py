"""The app factory: :func:`create_app` builds the Flask app (every resource, the spec, the
protocol and observability layers around it). ``deploy/serve.py`` serves ``api.app:create_app``."""
from . import docs
from .blueprint import SlugConverter
from .config import Config
from .dataset.db import Database, open_dataset
from .http import errors, observe
from .http.json import OrjsonProvider
from .http.protocol import Protocol
from .http.streams import StreamFormats
from .pages import blp as pages_blp
from .resources import BLUEPRINTS
from .search import index as search_index
from .spec import Api, spec_options


def create_app(config=None):
    """App factory. ``config`` is a mapping that overrides :class:`api.config.Config`."""
    app = observe.ObservedFlask("api")  # the name it had in api/__init__.py: the root path, app.logger
    app.json = OrjsonProvider(app)
    app.config.from_mapping(Config.as_dict())
    app.config.update(config or {})
    app.config["API_SPEC_OPTIONS"] = spec_options(app.config)
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.strict_slashes = False
    index_cache = app.config["INDEX_CACHE"] or search_index.default_cache_dir()
    app.extensions["kb_db"] = Database(app.config["KB_DB"], app.config["QUERY_TIME_LIMIT_MS"],
                                       index_cache=None if index_cache == "off" else index_cache)

    api = Api(app, spec_kwargs={"extra_plugins": [StreamFormats()]})
    api.register_converter(SlugConverter, SlugConverter.spec)
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    app.register_blueprint(docs.blp)
    app.register_blueprint(pages_blp)
    errors.register(app)
    app.before_request(open_dataset)
    app.wsgi_app = Protocol(app.wsgi_app, app)  # request ids, refusals, protocol headers, the 304s
    observe.install(app)  # at the entry point, around everything: the access log, the metrics, /metrics
    return app
