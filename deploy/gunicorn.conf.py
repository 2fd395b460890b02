"""gunicorn settings for `make serve` (HOST, PORT, WEB_WORKERS, WEB_THREADS from the environment)."""
import os

from api import server

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
backlog = 2048

# Request size limits: every documented parameter fits, abuse is refused (as a problem
# document, see api.server.write_problem) before the app reads it.
limit_request_line = 8190
limit_request_fields = 50
limit_request_field_size = 8190

# Structured JSON access log, one object per request with its X-Request-Id.
logger_class = "api.server.JsonLogger"
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")

server.install()
