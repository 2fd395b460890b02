"""What the benchmarks (bench/) and the tests (tests/) share: free ports, the production server
on one of them, wrk with machine-readable results, plain GETs and a background load, the
machine and the code a result came from, a built database's meta table, and the writer of
docs/benchmarks.md's generated blocks.

The production server's command line is named in one place, :func:`production_command`.
"""
import ctypes
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
REPORT_LUA = Path(__file__).with_name("report.lua")


# -- ports and the server ------------------------------------------------------------------
def free_ports(n, host=HOST):
    """``n`` distinct TCP ports free on ``host`` right now (all bound at once while picked)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for sock in socks:
            sock.bind((host, 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def free_port(host=HOST):
    return free_ports(1, host)[0]


def production_command(app=None, interface=None):
    """argv of the production server: Granian, ``deploy/serve.py``, which reads HOST, PORT,
    WEB_WORKERS, WEB_THREADS, WEB_BACKPRESSURE, WEB_HEADER_TIMEOUT_MS, ACCESS_LOG and LOG_LEVEL
    from the environment (the API reads KB_DB). ``app``: another ``module:app`` to serve with
    the same settings (default: the API); ``interface``: ``asgi`` for an ASGI app. Switching
    the production server changes this function and nothing else."""
    cmd = [sys.executable, str(ROOT / "deploy" / "serve.py")]
    if app:
        cmd.append(app)
    if interface:
        cmd += ["--interface", interface]
    return cmd


def _die_with_parent():
    """In the child before exec: SIGTERM it when the process that started it dies, however it
    dies (PR_SET_PDEATHSIG), so no server outlives a killed pytest or benchmark."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except OSError:
        pass


class ServerError(RuntimeError):
    pass


class Server:
    """A server process on a free port of 127.0.0.1, by default the production server serving
    the API on ``db_path``. ``with Server(...) as s:`` starts it, waits until ``ready_path``
    answers 200 and stops it (SIGTERM, then SIGKILL) on the way out; ``s.url``, ``s.port``.

    ``command``: the argv (default :func:`production_command`); it gets HOST, PORT,
    WEB_WORKERS (and WEB_THREADS, KB_DB when given) and ``env`` in its environment.
    """

    def __init__(self, db_path=None, workers=2, threads=None, env=None, command=None, ready_path="/readyz",
                 log_path=None, name="server", timeout=60, stop_timeout=30):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.name, self.ready_path, self.log_path = name, ready_path, log_path
        self.timeout, self.stop_timeout = timeout, stop_timeout
        self.command = list(command or production_command())
        self.env = {**os.environ, "HOST": HOST, "PORT": str(self.port), "WEB_WORKERS": str(workers)}
        if threads is not None:
            self.env["WEB_THREADS"] = str(threads)
        if db_path is not None:
            self.env["KB_DB"] = str(db_path)
        self.env.update({k: str(v) for k, v in (env or {}).items()})
        self.proc = None
        self._log = None

    def start(self, wait=True):
        """Start the process; with ``wait``, also :meth:`wait_ready`."""
        self._log = open(self.log_path, "wb") if self.log_path else None
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=self._log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent)
        return self.wait_ready() if wait else self

    def wait_ready(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise ServerError(f"{self.name} exited with {self.proc.returncode}{self._log_tail()}")
            try:
                if get(self.port, self.ready_path, timeout=5)[0] == 200:
                    return self
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        self.stop()
        raise ServerError(f"{self.name} was not ready after {self.timeout} s{self._log_tail()}")

    def _log_tail(self):
        if not self.log_path:
            return ""
        return f"; its log {self.log_path} ends:\n" + Path(self.log_path).read_text(errors="replace")[-3000:]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the server's master stops its workers
            try:
                self.proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# -- requests ------------------------------------------------------------------------------
def get(port, path, headers=None, timeout=60, host=HOST, source=None):
    """One GET on its own connection; ``(status, headers with lower-case names, body bytes)``.
    ``source``: the client address to send from (any 127.x.y.z is this machine)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0) if source else None)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


@dataclass
class Outcome:
    started: float  # time.monotonic() when the request was sent ...
    finished: float  # ... and when its answer (or failure) came
    path: str
    status: int = None  # None: no HTTP answer (see error)
    headers: dict = field(default_factory=dict)  # lower-case names
    error: str = None


class Load:
    """Background threads sending GETs to 127.0.0.1:``port``, one new connection per request
    (as many independent clients would), cycling through ``requests`` (``[(path, headers)]``)
    until the ``with`` block ends. Every outcome is kept in ``results``."""

    def __init__(self, port, requests, threads=1, timeout=10):
        self.port, self.requests, self.timeout = port, list(requests), timeout
        self.results = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, offset):
        i = offset
        while not self.stopping.is_set():
            path, headers = self.requests[i % len(self.requests)]
            i += 1
            started = time.monotonic()
            try:
                status, got, _ = get(self.port, path, headers, timeout=self.timeout)
                outcome = Outcome(started, time.monotonic(), path, status, got)
            except Exception as exc:  # noqa: BLE001 - every failure is a result
                outcome = Outcome(started, time.monotonic(), path, error=repr(exc))
            with self.lock:
                self.results.append(outcome)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(15)

    def snapshot(self):
        with self.lock:
            return list(self.results)

    def failures(self, ok=(200,)):
        return [r for r in self.snapshot() if r.status not in ok]

    def after(self, moment):
        """Outcomes of the requests sent after ``moment``."""
        return [r for r in self.snapshot() if r.started >= moment]

    def run_on(self, moment, count, timeout=10):
        """Keep the load going until ``count`` requests have been sent after ``moment``."""
        deadline = time.monotonic() + timeout
        while (len(self.after(moment)) < count and time.monotonic() < deadline
               and any(t.is_alive() for t in self.threads)):
            time.sleep(0.05)


# -- wrk -----------------------------------------------------------------------------------
def wrk_binary():
    path = shutil.which("wrk")
    if not path:
        raise FileNotFoundError("wrk is not installed: run `make install-wrk` (as root it installs the Debian package)")
    return path


def run_wrk(url, duration, connections, threads, script=None, args=(), headers=None, timeout="10s"):
    """Run wrk once against ``url`` for ``duration`` seconds and return its result, read from
    the JSON line of bench/report.lua (``script`` must load it; by default it is the script):

    ``requests``, ``duration_s``, ``rps``; ``errors`` by kind (connect, read, write, timeout,
    status), ``socket_errors`` (the first four), ``non_2xx_3xx`` (status: answers >= 400) and
    ``failed`` (both); latency ``p50``, ``p90``, ``p99``, ``max`` in ms (None when no request
    completed). ``args`` go to the script's ``init``; ``headers`` is a dict added to every request."""
    cmd = [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", str(timeout),
           "-s", str(script or REPORT_LUA)]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(url)
    if args:
        cmd += ["--", *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=float(duration) + 120)
    report = next((line for line in reversed(proc.stdout.splitlines()) if line.startswith('{"wrk_report"')), None)
    if proc.returncode != 0 or report is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}; a script must dofile bench/report.lua): "
                           f"{' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    raw = json.loads(report)
    errors = raw["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    latency = raw["latency_ms"] if raw["requests"] else dict.fromkeys(raw["latency_ms"])
    return {"requests": raw["requests"], "duration_s": raw["duration_s"], "rps": raw["rps"],
            "p50": latency["p50"], "p90": latency["p90"], "p99": latency["p99"], "max": latency["max"],
            "errors": errors, "socket_errors": socket_errors, "non_2xx_3xx": errors["status"],
            "failed": socket_errors + errors["status"]}


def wrk_version():
    if not shutil.which("wrk"):
        return "missing"
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    words = (out.stdout + out.stderr).split()
    return words[1] if len(words) > 1 else "?"


# -- where a result comes from ---------------------------------------------------------------
def _proc_field(path, prefix):
    try:
        return next(line.split(":", 1)[1].strip() for line in Path(path).read_text().splitlines()
                    if line.startswith(prefix))
    except (OSError, StopIteration):
        return None


def package_version(name):
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def machine(packages=(), wrk=False):
    """The machine and software a measurement ran on: CPU model, cores, RAM (GB), OS, Python,
    SQLite, the 1-minute load average, and the versions of ``packages`` (and wrk)."""
    mem = _proc_field("/proc/meminfo", "MemTotal:")
    found = {"cpu": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU",
             "cores": os.cpu_count(), "ram_gb": round(int(mem.split()[0]) / 2**20, 1) if mem else None,
             "os": platform.platform(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
             "loadavg": round(os.getloadavg()[0], 2),
             "packages": {p: package_version(p) for p in packages}}
    if wrk:
        found["packages"]["wrk"] = wrk_version()
    return found


def same_machine(a, b):
    """Whether two :func:`machine` results describe the same machine and software (the load
    average aside): only then are their results comparable."""
    strip = lambda m: {k: v for k, v in (m or {}).items() if k != "loadavg"}  # noqa: E731
    return strip(a) == strip(b)


def describe(m):
    ram = f"{m['ram_gb']} GB RAM" if m.get("ram_gb") else "RAM unknown"
    text = f"{m['cpu']}, {m['cores']} cores, {ram}; {m['os']}; Python {m['python']}, SQLite {m['sqlite']}"
    packages = ", ".join(f"{k} {v}" for k, v in m.get("packages", {}).items())
    return text + (f"; {packages}" if packages else "")


def git_describe(paths=(), cwd=ROOT):
    """Short commit of ``cwd``'s HEAD, with ``+changes`` when ``paths`` have uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=cwd, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *paths], cwd=cwd, capture_output=True,
                               text=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# -- docs ----------------------------------------------------------------------------------
def write_block(path, heading, start, end, block):
    """Write a generated ``block`` (which begins with the ``start`` marker and ends with the
    ``end`` one) into the markdown file ``path``: it replaces the text between the markers;
    else it goes right under ``heading`` (the heading is appended when missing). Everything
    else is kept. Written atomically (temp file and rename)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    elif re.search(rf"^{re.escape(heading)}\s*$", text, flags=re.M):
        text = re.sub(rf"^{re.escape(heading)}[ \t]*\n\s*", lambda mt: f"{heading}\n\n{block}\n\n", text,
                      count=1, flags=re.M)
    else:
        text = text.rstrip("\n") + f"\n\n{heading}\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
