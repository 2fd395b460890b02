"""Settings, read from the environment once when the app is created."""
import os


class Config:
    """Defaults for every setting; each can be overridden by an environment variable or by
    the mapping given to :func:`api.app.create_app`."""

    KB_DB = os.environ.get("KB_DB", "var/kb.sqlite")
    CACHE_MAX_AGE = int(os.environ.get("KB_CACHE_MAX_AGE", "300"))
    CURSOR_SECRET = os.environ.get("KB_CURSOR_SECRET", "kb-cursor-v1")
    QUERY_TIME_LIMIT_MS = int(os.environ.get("KB_QUERY_TIME_LIMIT_MS", "2000"))
    # the time all the facet counts of one request may take (None: QUERY_TIME_LIMIT_MS); api/queries/facets.py
    FACET_TIME_LIMIT_MS = int(os.environ["KB_FACET_TIME_LIMIT_MS"]) if os.environ.get("KB_FACET_TIME_LIMIT_MS") else None
    REPLICA_ID = os.environ.get("KB_REPLICA_ID", "")
    # where the search index stored in the database is unpacked (api/search/index.py); "off": FTS5 only
    INDEX_CACHE = os.environ.get("KB_INDEX_CACHE", "")
    # the server's public address (api/http/public_url.py): unset, each request's own scheme and Host, the
    # X-Forwarded-* headers believed only from TRUSTED_PROXIES (addresses or CIDR blocks, comma-separated)
    PUBLIC_URL = os.environ.get("KB_PUBLIC_URL", "")
    TRUSTED_PROXIES = os.environ.get("KB_TRUSTED_PROXIES", "127.0.0.0/8, ::1")

    API_TITLE = "Syria politics knowledge base"
    API_VERSION = "1.11.0"  # the contract's semantic version (README "Versioning", CHANGELOG.md)
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    # Swagger UI is served by api.docs from the flask-swagger-ui package (no CDN).
    OPENAPI_SWAGGER_UI_PATH = None
    MAX_CONTENT_LENGTH = 64 * 1024

    @classmethod
    def as_dict(cls):
        return {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
