"""Run the API as N gunicorn replicas behind nginx on 127.0.0.1, and roll new databases out.

    python deploy/cluster.py [--dir var/cluster] start --db var/kb.sqlite [--port 8080]
                             [--replicas 3] [--base-port 8101] [--workers 1] [--threads 4]
    python deploy/cluster.py [--dir var/cluster] status
    python deploy/cluster.py [--dir var/cluster] publish NEW.sqlite
    python deploy/cluster.py [--dir var/cluster] purge
    python deploy/cluster.py [--dir var/cluster] stop

Everything lives in the runtime directory (git-ignored ``var/cluster`` by default)::

    cluster.json                 what `start` started: ports, pids, paths
    nginx/nginx.conf             deploy/nginx.conf rendered; nginx/nginx.pid, logs/, cache/, temp/
    replica-N/kb.sqlite          the replica's own copy of the database
    replica-N/gunicorn.pid, gunicorn.log

`stop` stops exactly the processes whose pids `start` recorded (and checks each pid still
belongs to this runtime directory before signalling it). `publish` is the rolling update:
one replica at a time, the new file is copied beside the replica's file and renamed over it
(the replica's workers notice the new inode on their next request, api/db.py), and the
replica's own port is polled until it answers with the new X-Dataset-Version; then the nginx
cache is purged (its files deleted: nginx treats a missing file as a miss, no reload needed)
so no response of the old version is served from it. The module is importable (tests/test_cluster.py,
bench/cluster_bench.py use :class:`Cluster`); it needs only the standard library.
"""
import argparse
import grp
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
HOST = "127.0.0.1"
TEMP_CACHE_FILE = re.compile(r"\.\d{10}$")  # nginx writes a cache file under a temp name first


class ClusterError(Exception):
    """Something the operator has to look at (a process that did not start, a replica that
    did not take the new database)."""


def find_nginx():
    """The nginx binary (Debian puts it in /usr/sbin, which a user's PATH may lack)."""
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if not path:
        raise ClusterError("nginx is not installed: run `make install-nginx` (as root) or apt-get install nginx")
    return path


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def dataset_version(db_path):
    """The ``dataset_version`` recorded in a database file's meta table."""
    uri = f"file:{Path(db_path).resolve()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'dataset_version'").fetchone()
    finally:
        conn.close()
    if not row:
        raise ClusterError(f"{db_path} has no dataset_version in its meta table")
    return row[0]


def atomic_copy(src, dest):
    """Copy ``src`` to a temp file beside ``dest``, flush it to disk, rename it over ``dest``."""
    dest = Path(dest)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def http_get(port, path, headers=None, timeout=5.0):
    """One GET on 127.0.0.1:port; returns ``(status, headers as a dict, body bytes)``."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def pid_alive(pid):
    """True while ``pid`` is a live (not zombie) process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in (b"Z", b"X")


def pid_cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def read_pid(path):
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None


class Cluster:
    """N gunicorn replicas and one nginx, all under the runtime directory ``root``."""

    def __init__(self, root, port=8080, replicas=3, base_port=8101, replica_ports=None, workers=1,
                 threads=4, cache_max_size="256m", env=None):
        self.root = Path(root).resolve()
        self.port = port
        ports = replica_ports or [base_port + i for i in range(replicas)]
        self.replicas = [{"id": f"replica-{i + 1}", "port": p, "dir": str(self.root / f"replica-{i + 1}")}
                         for i, p in enumerate(ports)]
        self.workers = workers
        self.threads = threads
        self.cache_max_size = cache_max_size
        self.env = dict(env or {})
        self.procs = {}  # replica id -> Popen, when started by this process (so it can reap them)

    # ---- layout and state -------------------------------------------------------------
    @property
    def prefix(self):
        return self.root / "nginx"

    @property
    def state_file(self):
        return self.root / "cluster.json"

    @property
    def cache_dir(self):
        return self.prefix / "cache"

    @property
    def nginx_conf(self):
        return self.prefix / "nginx.conf"

    @property
    def nginx_pid_file(self):
        return self.prefix / "nginx.pid"

    def replica(self, which):
        """A replica by id (``replica-2``) or 0-based index."""
        if isinstance(which, int):
            return self.replicas[which]
        if isinstance(which, dict):
            which = which["id"]
        return next(r for r in self.replicas if r["id"] == which)

    def db_file(self, replica):
        return Path(replica["dir"]) / "kb.sqlite"

    def pid_file(self, replica):
        return Path(replica["dir"]) / "gunicorn.pid"

    def save_state(self):
        state = {"port": self.port, "replicas": self.replicas, "workers": self.workers, "threads": self.threads,
                 "cache_max_size": self.cache_max_size, "env": self.env, "nginx_conf": str(self.nginx_conf),
                 "nginx_pid_file": str(self.nginx_pid_file)}
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        os.replace(tmp, self.state_file)

    @classmethod
    def load(cls, root):
        """The cluster that `start` recorded in ``root/cluster.json``."""
        state_file = Path(root) / "cluster.json"
        try:
            state = json.loads(state_file.read_text())
        except FileNotFoundError:
            raise ClusterError(f"no cluster recorded in {root} (start one with `make cluster`)") from None
        return cls(root, port=state["port"], replica_ports=[r["port"] for r in state["replicas"]],
                   workers=state["workers"], threads=state["threads"],
                   cache_max_size=state.get("cache_max_size", "256m"), env=state.get("env"))

    # ---- nginx ------------------------------------------------------------------------
    def render_nginx_conf(self):
        user = ""
        if os.geteuid() == 0:
            # As root, nginx would switch its workers to `nobody`, who cannot write the cache
            # in our prefix: keep them as the current user (root only because we are root).
            user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
        servers = "\n".join(f"        server {HOST}:{r['port']} max_fails=1 fail_timeout=2s;" for r in self.replicas)
        values = {"USER": user, "WORKER_PROCESSES": "1", "PREFIX": str(self.prefix),
                  "LISTEN": f"{HOST}:{self.port}", "UPSTREAM_SERVERS": servers,
                  "CACHE_MAX_SIZE": self.cache_max_size}
        text = TEMPLATE.read_text()
        text = re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: values[m.group(1)], text)
        for sub in ("logs", "cache", "temp"):
            (self.prefix / sub).mkdir(parents=True, exist_ok=True)
        self.nginx_conf.write_text(text)
        return self.nginx_conf

    def _nginx(self, *args, check=True):
        cmd = [find_nginx(), "-p", str(self.prefix) + "/", "-c", str(self.nginx_conf),
               "-e", str(self.prefix / "logs" / "error.log"), *args]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise ClusterError(f"{' '.join(cmd)} failed:\n{result.stderr}")
        return result

    def nginx_pid(self):
        """The nginx master's pid, if it is alive and is ours (its command line names our prefix)."""
        pid = read_pid(self.nginx_pid_file)
        if pid and pid_alive(pid) and str(self.prefix) in pid_cmdline(pid):
            return pid
        return None

    def start_nginx(self, timeout=10):
        self.render_nginx_conf()
        self._nginx("-t")
        self._nginx()  # daemonizes; the master writes nginx.pid
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.nginx_pid():
                try:
                    with socket.create_connection((HOST, self.port), timeout=1):
                        return
                except OSError:
                    pass
            time.sleep(0.05)
        raise ClusterError(f"nginx did not start; see {self.prefix / 'logs' / 'error.log'}")

    def stop_nginx(self, timeout=10):
        pid = self.nginx_pid()
        if pid:
            os.kill(pid, signal.SIGQUIT)  # graceful shutdown
            if not _wait_gone(pid, timeout):
                os.kill(pid, signal.SIGTERM)
                _wait_gone(pid, 5)
        self.nginx_pid_file.unlink(missing_ok=True)

    def purge_cache(self):
        """Delete every cached response; returns how many files went.

        nginx keeps each entry's key in shared memory and its response in a file: when the
        file is gone, the next request for that key is a MISS that fetches from a replica
        and stores the answer again (ngx_http_file_cache_open: ENOENT -> miss). No reload is
        needed, and none is done: a reload closes connections that old workers have accepted
        but not yet read a request from, which fails a few requests under load. Files still
        being written (``*.0000000001`` temp names) are left alone. Side effects: nginx's
        size accounting counts deleted entries until they are requested again or go
        ``inactive``, and expiring one logs a harmless "unlink() failed (2: No such file)".
        """
        removed = 0
        for dirpath, _dirs, files in os.walk(self.cache_dir):
            for name in files:
                if TEMP_CACHE_FILE.search(name):
                    continue
                try:
                    os.unlink(os.path.join(dirpath, name))
                    removed += 1
                except FileNotFoundError:
                    pass
        return removed

    # ---- replicas ---------------------------------------------------------------------
    def replica_pid(self, replica):
        pid = read_pid(self.pid_file(replica))
        if pid and pid_alive(pid) and str(self.pid_file(replica)) in pid_cmdline(pid):
            return pid
        return None

    def start_replica(self, which, wait=True, timeout=30):
        replica = self.replica(which)
        if self.replica_pid(replica):
            raise ClusterError(f"{replica['id']} is already running")
        workdir = Path(replica["dir"])
        env = {**os.environ, "ACCESS_LOG": str(workdir / "access.log"), **self.env,
               "KB_DB": str(self.db_file(replica)), "HOST": HOST, "PORT": str(replica["port"]),
               "WEB_WORKERS": str(self.workers), "WEB_THREADS": str(self.threads), "KB_REPLICA_ID": replica["id"]}
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF),
                    "--pid", str(self.pid_file(replica)), "api:create_app()"]
        with open(workdir / "gunicorn.log", "ab") as log:
            proc = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[replica["id"]] = proc
        # gunicorn writes the file too, a little later; write it now so `stop` always finds it
        self.pid_file(replica).write_text(f"{proc.pid}\n")
        if wait:
            self.wait_ready(replica, timeout)
        return proc.pid

    def wait_ready(self, which, timeout=30, version=None):
        """Poll the replica's own port until /readyz answers 200 (with ``version`` if given)."""
        replica = self.replica(which)
        deadline = time.monotonic() + timeout
        seen = None
        while time.monotonic() < deadline:
            proc = self.procs.get(replica["id"])
            if proc is not None and proc.poll() is not None:
                raise ClusterError(f"{replica['id']} exited with {proc.returncode}; "
                                   f"see {Path(replica['dir']) / 'gunicorn.log'}")
            try:
                status, headers, _ = http_get(replica["port"], "/readyz", timeout=2)
                seen = headers.get("x-dataset-version")
                if status == 200 and (version is None or seen == version):
                    return seen
            except OSError:
                pass
            time.sleep(0.05)
        want = f" with dataset version {version[:16]} (last seen {seen and seen[:16]})" if version else ""
        raise ClusterError(f"{replica['id']} on port {replica['port']} was not ready{want} after {timeout}s")

    def stop_replica(self, which, timeout=25):
        """SIGTERM (gunicorn's graceful shutdown: requests in progress finish), then wait."""
        replica = self.replica(which)
        pid = self.replica_pid(replica)
        if pid:
            os.kill(pid, signal.SIGTERM)
            proc = self.procs.get(replica["id"])
            if proc is not None and proc.pid == pid:
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            elif not _wait_gone(pid, timeout):
                os.kill(pid, signal.SIGKILL)
                _wait_gone(pid, 5)
        self.procs.pop(replica["id"], None)
        self.pid_file(replica).unlink(missing_ok=True)

    # ---- the whole cluster ------------------------------------------------------------
    def running(self):
        return bool(self.nginx_pid() or any(self.replica_pid(r) for r in self.replicas))

    def start(self, db_path, timeout=60):
        if not Path(db_path).is_file():
            raise ClusterError(f"{db_path} does not exist (make db builds it)")
        find_nginx()
        self.root.mkdir(parents=True, exist_ok=True)
        if self.state_file.exists():
            try:
                if Cluster.load(self.root).running():
                    raise ClusterError(f"a cluster is already running in {self.root}: stop it first (make cluster-stop)")
            except (KeyError, ValueError):
                pass
        for replica in self.replicas:
            Path(replica["dir"]).mkdir(parents=True, exist_ok=True)
            atomic_copy(db_path, self.db_file(replica))
        self.save_state()  # before anything starts, so `stop` can always clean up
        try:
            for replica in self.replicas:
                self.start_replica(replica["id"], wait=False)
            with ThreadPoolExecutor(len(self.replicas)) as pool:
                list(pool.map(lambda r: self.wait_ready(r["id"], timeout), self.replicas))
            self.start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        self.stop_nginx()
        with ThreadPoolExecutor(max(1, len(self.replicas))) as pool:
            list(pool.map(lambda r: self.stop_replica(r["id"]), self.replicas))

    def status(self):
        rows = []
        for replica in self.replicas:
            pid = self.replica_pid(replica)
            version = None
            if pid:
                try:
                    version = http_get(replica["port"], "/readyz", timeout=2)[1].get("x-dataset-version")
                except OSError:
                    pass
            rows.append({"id": replica["id"], "port": replica["port"], "pid": pid, "dataset_version": version})
        return {"nginx": {"port": self.port, "pid": self.nginx_pid()}, "replicas": rows}

    def publish(self, db_path, timeout=30, drain=0.5, log=print):
        """Rolling update: each replica in turn gets ``db_path`` and must serve its version
        before the next one is touched; then the cache is purged. Returns the new version."""
        version = dataset_version(db_path)
        log(f"publishing {db_path} (dataset version {version[:16]}) to {len(self.replicas)} replica(s)")
        if not self.nginx_pid():
            raise ClusterError("nginx is not running; start the cluster before publishing")
        for replica in self.replicas:
            if not self.replica_pid(replica):
                raise ClusterError(f"{replica['id']} is not running; start the cluster before publishing")
        for replica in self.replicas:
            started = time.monotonic()
            atomic_copy(db_path, self.db_file(replica))
            self.wait_ready(replica["id"], timeout, version=version)
            log(f"  {replica['id']} (port {replica['port']}) serves {version[:16]} "
                f"after {(time.monotonic() - started) * 1000:.0f} ms")
        # Requests that a replica began on the old file just before its rename may still be
        # finishing (and be stored in the cache): let them drain, then purge.
        time.sleep(drain)
        purged = self.purge_cache()
        deadline = time.monotonic() + timeout
        while True:
            try:
                status, headers, _ = http_get(self.port, "/v1", timeout=2)
                if status == 200 and headers.get("x-dataset-version") == version:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise ClusterError("nginx still serves another dataset version after the purge")
            time.sleep(0.05)
        log(f"cache purged ({purged} response(s)); nginx on port {self.port} serves {version[:16]}")
        return version


def _wait_gone(pid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return not pid_alive(pid)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="var/cluster", help="runtime directory (default var/cluster)")
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start", help="copy the database to each replica, start replicas and nginx")
    p_start.add_argument("--db", default=os.environ.get("KB_DB", "var/kb.sqlite"))
    p_start.add_argument("--port", type=int, default=8080, help="nginx port")
    p_start.add_argument("--replicas", type=int, default=3)
    p_start.add_argument("--base-port", type=int, default=8101, help="first replica's port (then +1, +2, ...)")
    p_start.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")),
                         help="gunicorn workers per replica")
    p_start.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")),
                         help="threads per worker")
    sub.add_parser("stop", help="stop what `start` started (recorded pids only)")
    sub.add_parser("status", help="pids, ports and dataset versions")
    p_publish = sub.add_parser("publish", help="rolling update to a new database file")
    p_publish.add_argument("db")
    p_publish.add_argument("--timeout", type=float, default=30)
    sub.add_parser("purge", help="empty the nginx cache")
    args = parser.parse_args(argv)

    try:
        if args.command == "start":
            env = {k: os.environ[k] for k in ("KB_CACHE_MAX_AGE", "LOG_LEVEL", "ACCESS_LOG", "KB_QUERY_TIME_LIMIT_MS")
                   if k in os.environ}
            cluster = Cluster(args.dir, port=args.port, replicas=args.replicas, base_port=args.base_port,
                              workers=args.workers, threads=args.threads, env=env)
            cluster.start(args.db)
            version = dataset_version(args.db)
            print(f"nginx on http://{HOST}:{cluster.port} (cache {cluster.cache_dir}) in front of "
                  + ", ".join(f"{r['id']} :{r['port']}" for r in cluster.replicas)
                  + f"; dataset version {version[:16]}. Stop with `make cluster-stop`.")
            return 0
        if args.command == "stop":
            if not (Path(args.dir) / "cluster.json").exists():
                print(f"no cluster recorded in {args.dir}; nothing to stop")
                return 0
            cluster = Cluster.load(args.dir)
            cluster.stop()
            cluster.state_file.unlink(missing_ok=True)
            print(f"stopped nginx and {len(cluster.replicas)} replica(s) of {cluster.root}")
            return 0
        cluster = Cluster.load(args.dir)
        if args.command == "status":
            print(json.dumps(cluster.status(), indent=2))
            return 0 if cluster.running() else 1
        if args.command == "publish":
            cluster.publish(args.db, timeout=args.timeout)
            return 0
        if args.command == "purge":
            print(f"purged {cluster.purge_cache()} cached response(s) from {cluster.cache_dir}")
            return 0
    except ClusterError as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
