"""The production server: Granian serving ``api:create_app`` over WSGI, configured here only.

``make serve``, the cluster's replicas (supervisord), the host units (systemd) and the tests'
live server all run ``python deploy/serve.py``; settings come from the environment:

- ``HOST`` / ``PORT``: where to listen (127.0.0.1:8000);
- ``WEB_WORKERS``: worker processes (2); a worker that dies is respawned;
- ``WEB_THREADS``: blocking threads per worker, the requests a worker runs at once (4);
- ``WEB_BACKPRESSURE``: requests a worker accepts before the others wait in the backlog (64);
- ``WEB_HEADER_TIMEOUT_MS``: time a client has to send its headers (5000; slow clients are cut);
- ``LOG_LEVEL``: Granian's own log level (info).

The app enforces the request-size limits itself (``api`` answers them with problem
documents), below Granian's HTTP/1 buffer, so only malformed HTTP that Granian refuses before
any app code runs gets Granian's own plain-text answer (README, "Limits").
"""
import ctypes
import os
import signal

from granian import Granian
from granian.constants import Interfaces
from granian.http import HTTP1Settings

# Granian's whole-request-head buffer: above the app's own limits (api.limits) so the app
# is the one that refuses an oversized request line or header, with a problem document.
HTTP1_BUFFER = 256 * 1024


def settings(env=os.environ):
    return dict(
        target="api:create_app",
        factory=True,
        interface=Interfaces.WSGI,
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


def main():
    die_with_parent()
    Granian(**settings()).serve()


if __name__ == "__main__":
    main()
