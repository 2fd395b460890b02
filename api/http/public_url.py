"""The server's public address: the base of every absolute URL it serves (the spec's ``servers``,
the downloads' ``href``, the reconciliation manifest's ``view`` and ``preview``).

``KB_PUBLIC_URL`` when set (``https://kb.example.org``, a path prefix allowed); otherwise the
scheme and ``Host`` of the request itself. ``X-Forwarded-Proto``, ``-Host`` and ``-Port`` are read
only from a trusted proxy (a peer address in ``KB_TRUSTED_PROXIES``, by default the loopback
addresses, where the project's nginx runs), with werkzeug's ``ProxyFix`` (one proxy: the last value
of each header); from anyone else they are ignored. A ``Host`` that is no host name, IPv4 or
bracketed IPv6 address with an optional port is not used (the server's own name and port are).
"""
import ipaddress
import re

from werkzeug.middleware.proxy_fix import ProxyFix

BASE_URL = "kb.base_url"  # environ key: the request's public base URL, set by api.http.protocol.Protocol
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def base_url(environ, configured=""):
    """``scheme://host[:port]`` (no trailing slash) of the request ``environ``, or ``configured``."""
    if configured:
        return configured.rstrip("/")
    scheme = environ.get("wsgi.url_scheme")
    scheme = scheme if scheme in _DEFAULT_PORTS else "http"
    host = environ.get("HTTP_HOST", "")
    if not _HOST.match(host):
        name, port = environ.get("SERVER_NAME") or "localhost", str(environ.get("SERVER_PORT") or "")
        host = name if not port or port == _DEFAULT_PORTS[scheme] else f"{name}:{port}"
        if not _HOST.match(host):
            host = "localhost"
    host = host.lower()
    if host.endswith(":" + _DEFAULT_PORTS[scheme]):
        host = host[: -len(_DEFAULT_PORTS[scheme]) - 1]
    return f"{scheme}://{host}"


def public_base():
    """The public base URL of the request being served (Flask's request context)."""
    from flask import current_app, request  # here: Protocol imports this module before any app exists

    return request.environ.get(BASE_URL) or base_url(request.environ, current_app.config["PUBLIC_URL"])


def networks(text):
    """The networks of a ``KB_TRUSTED_PROXIES`` value: addresses or CIDR blocks, comma-separated."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


class TrustedProxies:
    """WSGI middleware: ``ProxyFix`` (scheme, host, port) for requests from a trusted proxy only."""

    def __init__(self, wsgi_app, trusted):
        self.wsgi_app = wsgi_app
        self.fixed = ProxyFix(wsgi_app, x_for=0, x_proto=1, x_host=1, x_port=1)
        self.trusted = networks(trusted)

    def is_trusted(self, peer):
        try:
            address = ipaddress.ip_address((peer or "").split("%")[0])
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    def __call__(self, environ, start_response):
        if self.trusted and self.is_trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.wsgi_app(environ, start_response)
