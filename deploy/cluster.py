"""The one-machine cluster: render deploy/nginx.conf and deploy/supervisord.conf into a runtime
directory and hand the processes (N replicas, nginx) to supervisord.

    python -m deploy.cluster [--dir var/cluster] start --db var/kb.sqlite [--port 8080]
        [--replicas 3] [--base-port 8101] [--workers 1] [--threads 4] [--rate 20r/s] ...
    python -m deploy.cluster [--dir var/cluster] stop | status

``start`` copies the database to ``replica-<port>/kb.sqlite`` for each replica, renders the two
templates, starts supervisord and returns once every replica and nginx answer /readyz.
``stop`` and ``status`` are ``supervisorctl shutdown`` / ``status``; supervisord restarts a
replica or nginx that dies. Rolling out a new database is deploy/publish.py.
"""
import argparse
import grp
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from deploy import downloads
from deploy.publish import HOST, PublishError, atomic_copy, wait_ready

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # supervisord, supervisorctl: installed beside this python
PASS_ENV = ("KB_CACHE_MAX_AGE", "KB_QUERY_TIME_LIMIT_MS", "LOG_LEVEL", "WEB_BACKPRESSURE", "WEB_HEADER_TIMEOUT_MS")


class ClusterError(Exception):
    pass


def find_nginx():
    """The nginx binary (Debian puts it in /usr/sbin, which a user's PATH may lack)."""
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if not path:
        raise ClusterError("nginx is not installed: run `make install-nginx` (as root) or apt-get install nginx")
    return path


def free_ports(n, tries=200):
    """A free port followed by ``n`` consecutive free ports (nginx's and the replicas')."""
    for _ in range(tries):
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            first = sock.getsockname()[1]
        ports = list(range(first, first + n + 1))
        if ports[-1] > 65535:
            continue
        socks = []
        try:
            for p in ports:
                s = socket.socket()
                socks.append(s)
                s.bind((HOST, p))
            return ports
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise ClusterError(f"no {n + 1} consecutive free ports found")


def fill(template, values):
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: str(values[m.group(1)]), Path(template).read_text())


class Cluster:
    """nginx and ``replicas`` replicas on ports base_port, base_port + 1, ... under supervisord."""

    def __init__(self, root, port=8080, replicas=3, base_port=8101, workers=1, threads=4, env=None,
                 rate="20r/s", burst=40, rate_all="200r/s", burst_all=400, cache_max_size="256m"):
        self.root = Path(root).resolve()
        self.port = port
        self.replicas = [{"id": f"replica-{p}", "port": p, "dir": self.root / f"replica-{p}"}
                         for p in range(base_port, base_port + replicas)]
        self.workers, self.threads, self.env = workers, threads, dict(env or {})
        self.limits = {"RATE": rate, "BURST": burst, "RATE_ALL": rate_all, "BURST_ALL": burst_all}
        self.cache_max_size = cache_max_size
        self.prefix = self.root / "nginx"
        self.conf = self.root / "supervisord.conf"

    def render(self):
        for sub in ("logs", "nginx/logs", "nginx/cache", "nginx/temp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        # As root, nginx would switch its workers to `nobody`, who cannot write the cache in our
        # prefix: keep them as the current user (root only because we are root).
        user = (f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
                if os.geteuid() == 0 else "")
        servers = "\n".join(f"        server {HOST}:{r['port']} max_fails=1 fail_timeout=2s;" for r in self.replicas)
        (self.prefix / "nginx.conf").write_text(fill(ROOT / "deploy" / "nginx.conf", {
            "USER": user, "WORKER_PROCESSES": 1, "PREFIX": self.prefix, "LISTEN": f"{HOST}:{self.port}",
            "UPSTREAM_SERVERS": servers, "CACHE_MAX_SIZE": self.cache_max_size, **self.limits,
            "DOWNLOADS": self.root / "downloads", "CACHE_MAX_AGE": int(self.env.get("KB_CACHE_MAX_AGE", 300))}))
        env = "".join(',{}="{}"'.format(k, str(v).replace("%", "%%").replace('"', r"\"")) for k, v in self.env.items())
        self.conf.write_text(fill(ROOT / "deploy" / "supervisord.conf", {
            "DIR": self.root, "ROOT": ROOT, "PYTHON": sys.executable, "NGINX": find_nginx(),
            "REPLICAS": len(self.replicas), "BASE_PORT": self.replicas[0]["port"], "WEB_WORKERS": self.workers,
            "WEB_THREADS": self.threads, "ENVIRONMENT": env}))
        nginx = subprocess.run([find_nginx(), "-t", "-q", "-p", f"{self.prefix}/", "-c", str(self.prefix / "nginx.conf"),
                                "-e", str(self.prefix / "logs" / "error.log")], capture_output=True, text=True)
        if nginx.returncode:
            raise ClusterError(f"nginx -t refused {self.prefix / 'nginx.conf'}:\n{nginx.stderr}")

    def ctl(self, *args, check=True):
        """``supervisorctl -c <runtime dir>/supervisord.conf ARGS``; returns its output."""
        result = subprocess.run([str(BIN / "supervisorctl"), "-c", str(self.conf), *args],
                                capture_output=True, text=True, timeout=60)
        if check and result.returncode:
            raise ClusterError(f"supervisorctl {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout

    def running(self):
        return self.conf.exists() and subprocess.run(
            [str(BIN / "supervisorctl"), "-c", str(self.conf), "pid"], capture_output=True, timeout=30).returncode == 0

    def pid(self, name):
        """The pid supervisord has for ``nginx``, ``replica-<port>`` or ``supervisord``."""
        if name == "supervisord":
            return int(self.ctl("pid"))
        return int(self.ctl("pid", name if name == "nginx" else f"replica:{name}"))

    def start(self, db_path, timeout=60):
        if not Path(db_path).is_file():
            raise ClusterError(f"{db_path} does not exist (make db builds it)")
        if self.running():
            raise ClusterError(f"a cluster is already running in {self.root}: stop it first (make cluster-stop)")
        self.render()
        files = downloads.dataset_files(db_path)  # with its dump and manifest (deploy/downloads.py)
        for replica in self.replicas:
            replica["dir"].mkdir(parents=True, exist_ok=True)
            copied = downloads.copy_dataset(files, replica["dir"] / "kb.sqlite", atomic_copy)
        downloads.publish_files(self.root, copied, atomic_copy)
        result = subprocess.run([str(BIN / "supervisord"), "-c", str(self.conf)], capture_output=True, text=True)
        if result.returncode:
            raise ClusterError(f"supervisord did not start: {result.stdout}{result.stderr}")
        try:
            for port in [r["port"] for r in self.replicas] + [self.port]:
                wait_ready(port, timeout)
            deadline = time.monotonic() + timeout  # and supervisord counts them as started
            while (out := self.ctl("status", check=False)).count(" RUNNING ") < len(self.replicas) + 1:
                if time.monotonic() > deadline:
                    raise ClusterError(f"not all RUNNING after {timeout}s:\n{out}")
                time.sleep(0.1)
        except (PublishError, BaseException) as exc:
            self.stop()
            raise ClusterError(f"{exc}; see {self.root / 'logs'}") from exc
        return self

    def stop(self, timeout=60):
        """supervisord stops nginx, then the replicas (gracefully), then itself."""
        if not self.running():
            return False
        pid = self.pid("supervisord")
        self.ctl("shutdown")
        deadline = time.monotonic() + timeout
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return True


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="var/cluster", help="runtime directory (default var/cluster)")
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start", help="copy the database to each replica, start supervisord")
    p_start.add_argument("--db", default=os.environ.get("KB_DB", "var/kb.sqlite"))
    p_start.add_argument("--port", type=int, default=8080, help="nginx port")
    p_start.add_argument("--replicas", type=int, default=3)
    p_start.add_argument("--base-port", type=int, default=8101, help="first replica's port (then +1, +2, ...)")
    p_start.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
    p_start.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
    p_start.add_argument("--rate", default="20r/s", help="per address, requests that reach a replica")
    p_start.add_argument("--burst", type=int, default=40)
    p_start.add_argument("--rate-all", default="200r/s", help="per address, every request (cache hits too)")
    p_start.add_argument("--burst-all", type=int, default=400)
    sub.add_parser("stop", help="supervisorctl shutdown: stop nginx, the replicas and supervisord")
    sub.add_parser("status", help="supervisorctl status")
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            cluster = Cluster(args.dir, port=args.port, replicas=args.replicas, base_port=args.base_port,
                              workers=args.workers, threads=args.threads, rate=args.rate, burst=args.burst,
                              rate_all=args.rate_all, burst_all=args.burst_all,
                              env={k: os.environ[k] for k in PASS_ENV if k in os.environ})
            cluster.start(args.db)
            print(f"nginx on http://{HOST}:{cluster.port} in front of "
                  + ", ".join(r["id"] for r in cluster.replicas) + f", run by supervisord ({cluster.conf}). "
                  "Stop with `make cluster-stop`.")
            return 0
        cluster = Cluster(args.dir)
        if args.command == "stop":
            print("stopped" if cluster.stop() else f"no cluster running in {args.dir}")
            return 0
        if not cluster.running():
            print(f"no cluster running in {args.dir}", file=sys.stderr)
            return 1
        status = subprocess.run([str(BIN / "supervisorctl"), "-c", str(cluster.conf), "status"])
        return status.returncode
    except ClusterError as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
