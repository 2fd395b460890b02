"""The production server: Granian serving ``api.app:create_app`` over WSGI, configured here only.

``make serve``, the cluster's replicas (supervisord), the host units (systemd) and the tests'
live server all run ``python deploy/serve.py``; settings come from the environment:

- ``HOST`` / ``PORT``: where to listen (127.0.0.1:8000);
- ``WEB_WORKERS``: worker processes (2); a worker that dies is respawned;
- ``WEB_THREADS``: blocking threads per worker, the requests a worker runs at once (4);
- ``WEB_BACKPRESSURE``: requests a worker accepts before the others wait in the backlog (64);
- ``WEB_HEADER_TIMEOUT_MS``: time a client has to send its headers (5000; slow clients are cut);
- ``LOG_LEVEL``: Granian's own log level (info);
- ``ACCESS_LOG``: where the app writes its JSON access log: a path, or ``-`` for stdout (the
  default here; ``api.http.observe`` writes it, so it is the same under any server);
- ``PROMETHEUS_MULTIPROC_DIR``: where the workers keep their metrics (``/metrics`` sums them);
  unset, a fresh temporary folder per start, removed when the server stops.

``python deploy/serve.py [TARGET] [--interface wsgi|asgi]`` serves another app with the same
settings (the benchmarks' bare Flask app and Datasette); the default is the API's factory.

The app enforces the request-size limits itself (``api.http.limits``: it answers them
with problem documents), below Granian's HTTP/1 buffer, so only malformed HTTP that Granian
refuses before any app code runs gets Granian's own empty answer (README, "Limits").
"""
import argparse
import atexit
import ctypes
import os
import shutil
import signal
import tempfile

from granian import Granian
from granian.constants import Interfaces
from granian.http import HTTP1Settings

# Granian's whole-request-head buffer: above the app's own limits (api.http.limits:
# request target 8190 bytes, 50 headers of 8190 bytes, so the largest head the app accepts is
# about 418 KiB), so the app is the one that refuses an oversized request target or header,
# with a problem document. A head above this buffer gets Granian's empty 431.
HTTP1_BUFFER = 512 * 1024
API = "api.app:create_app"


def settings(env=os.environ, target=API, interface="wsgi"):
    factory = target == API or target.endswith("()")  # "module:factory()": call it for the app
    return dict(
        target=target.removesuffix("()"),
        factory=factory,
        interface=Interfaces(interface),
        address=env.get("HOST", "127.0.0.1"),
        port=int(env.get("PORT", "8000")),
        workers=int(env.get("WEB_WORKERS", "2")),
        blocking_threads=int(env.get("WEB_THREADS", "4")),
        backpressure=int(env.get("WEB_BACKPRESSURE", "64")),
        backlog=2048,
        websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=int(env.get("WEB_HEADER_TIMEOUT_MS", "5000")),
                                     keep_alive=True, max_buffer_size=HTTP1_BUFFER),
        respawn_failed_workers=True,
        respawn_interval=0.5,
        workers_kill_timeout=20,  # graceful shutdown: requests in flight get 20 s to finish
        log_level=env.get("LOG_LEVEL", "info"),
        log_access=False,  # the app writes the JSON access log (api), with the request id
    )


def die_with_parent():
    """In every process forked from here on (Granian's workers): be killed when the process that
    forked it dies, even by SIGKILL. Otherwise a worker of a master killed outright would go on
    serving the port next to the new master that supervisord starts in its place (an orphaned
    worker does not stop on SIGTERM: its shutdown waits for the master). Its requests in flight
    are lost, as the master's were; nginx retries them on another replica."""
    forked_by = None

    def before():
        nonlocal forked_by
        forked_by = os.getpid()

    def after_in_child():
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
        if os.getppid() != forked_by:  # it died before prctl
            os.kill(os.getpid(), signal.SIGKILL)

    os.register_at_fork(before=before, after_in_child=after_in_child)


def metrics_dir(env=os.environ):
    """``PROMETHEUS_MULTIPROC_DIR`` for the workers (set before any of them imports
    prometheus_client): the given one, or a fresh temporary folder removed at exit, so that
    counts never leak from one server start into the next."""
    if not env.get("PROMETHEUS_MULTIPROC_DIR"):
        path = tempfile.mkdtemp(prefix="kb-metrics-")
        master = os.getpid()
        atexit.register(lambda: os.getpid() == master and shutil.rmtree(path, True))  # not in a worker
        env["PROMETHEUS_MULTIPROC_DIR"] = path
    return env["PROMETHEUS_MULTIPROC_DIR"]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve the API (or TARGET) with Granian")
    parser.add_argument("target", nargs="?", default=API,
                        help=f"module:app, or module:factory() (default: the factory {API})")
    parser.add_argument("--interface", default="wsgi", choices=["wsgi", "asgi"])
    args = parser.parse_args(argv)
    os.environ.setdefault("ACCESS_LOG", "-")
    metrics_dir()
    die_with_parent()
    Granian(**settings(target=args.target, interface=args.interface)).serve()


if __name__ == "__main__":
    main()
