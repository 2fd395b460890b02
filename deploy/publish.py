"""Roll a new database out to running replicas, one at a time, then purge nginx's cache.

    python -m deploy.publish [--dir var/cluster] publish NEW.sqlite [--timeout 30]
    python -m deploy.publish [--dir var/cluster] purge
    python -m deploy.publish [--dir var/cluster] versions

What no process manager does, and so the only deployment code of our own: for each replica
in turn the new file is copied beside the replica's file and renamed over it (its workers see
the new inode on their next request, api/dataset/swaps.py), and the replica's own port is polled until
it answers with the new X-Dataset-Version; only then is the next one touched. Then the cache
is purged, so no response of the old version is served from it. The replicas and nginx's port
are read from the rendered nginx.conf in the runtime directory (deploy/cluster.py writes it);
each replica's file is ``replica-<port>/kb.sqlite`` there. Standard library only (and
``factmodel.dataset_check``, which is too: no Flask, no ``api``).

A bad file is refused before any replica is touched (:func:`verify`): the full check the
replicas' workers run before a swap (``factmodel.dataset_check``: header and page count, every page
read by quick_check, schema version, tables, search index), and, when the build left a
manifest beside the file (``NEW.sqlite.sha256``, ``sha256sum`` format), its SHA-256; when it left
the downloads' manifest (``NEW.sqlite.manifest.json``), the SHA-256 of the database and of the
facts dump (deploy/downloads.py). The dump travels with the database to each replica, and once
every replica serves the new version nginx's downloads folder gets its files.
"""
import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from factmodel import dataset_check
from deploy import downloads

HOST = "127.0.0.1"
TEMP_CACHE_FILE = re.compile(r"\.\d{10}$")  # nginx writes a cache file under a temp name first


class PublishError(Exception):
    """Something the operator has to look at (nginx down, a replica that did not take the file)."""


def dataset_version(db_path):
    """The ``dataset_version`` recorded in a database file's meta table."""
    version = downloads.read_meta(db_path).get("dataset_version")
    if not version:
        raise PublishError(f"{db_path} has no dataset_version in its meta table")
    return version


def manifest_digest(db_path):
    """The SHA-256 a manifest beside ``db_path`` (``<name>.sha256``, ``sha256sum`` format) records, or None."""
    manifest = Path(f"{db_path}.sha256")
    if not manifest.exists():
        return None
    words = manifest.read_text().split()
    if not words or len(words[0]) != 64:
        raise PublishError(f"refusing to publish {db_path}: its manifest {manifest} holds no SHA-256")
    return words[0].lower()


def verify(db_path):
    """Refuse a file the replicas would refuse (or a manifest contradicts); returns its meta."""
    try:
        meta = dataset_check.check(db_path)
    except dataset_check.Rejected as exc:
        raise PublishError(f"refusing to publish {db_path}: {exc.reason}: {exc.detail}; no replica was touched") from None
    expected = manifest_digest(db_path)
    if expected is not None:
        digest = hashlib.sha256()
        with open(db_path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected:
            raise PublishError(f"refusing to publish {db_path}: its SHA-256 {digest.hexdigest()[:16]}... is not the "
                               f"manifest's {expected[:16]}...; no replica was touched")
    try:
        downloads.verify(db_path, meta)
    except downloads.Refused as exc:
        raise PublishError(f"refusing to publish {db_path}: {exc}; no replica was touched") from None
    return meta


def atomic_copy(src, dest, mtime=None):
    """Copy ``src`` to a temp file beside ``dest``, flush it to disk, rename it over ``dest``
    (with modification time ``mtime``, Unix seconds, when given)."""
    dest = Path(dest)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        if mtime is not None:
            os.utime(tmp, (mtime, mtime))
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
    """One GET on 127.0.0.1:port; returns ``(status, headers as a lower-case dict, body bytes)``."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def wait_ready(port, timeout=30, version=None, path="/readyz"):
    """Poll ``path`` on ``port`` until it answers 200 (with X-Dataset-Version ``version`` if
    given); returns the version seen."""
    deadline = time.monotonic() + timeout
    seen = None
    while True:
        try:
            status, headers, _ = http_get(port, path, timeout=2)
            seen = headers.get("x-dataset-version")
            if status == 200 and version in (None, seen):
                return seen
        except (OSError, http.client.HTTPException):  # not up yet (or, port unbound, a self-connect echo)
            pass
        if time.monotonic() > deadline:
            want = f" with dataset version {version[:16]} (last seen {seen and seen[:16]})" if version else ""
            raise PublishError(f"port {port} did not answer {path} with 200{want} within {timeout}s")
        time.sleep(0.05)


def read_layout(root):
    """``(nginx port, [replica ports])`` from the runtime directory's rendered nginx.conf."""
    try:
        text = (Path(root) / "nginx" / "nginx.conf").read_text()
    except FileNotFoundError:
        raise PublishError(f"no cluster in {root} (start one with `make cluster`)") from None
    port = int(re.search(r"^\s*listen [\d.]+:(\d+);", text, re.M).group(1))
    return port, [int(p) for p in re.findall(r"^\s*server [\d.]+:(\d+) ", text, re.M)]


def purge_cache(root):
    """Delete every cached response; returns how many files went.

    nginx keeps each entry's key in shared memory and its response in a file: when the file is
    gone, the next request for that key is a MISS that fetches from a replica and stores the
    answer again (ngx_http_file_cache_open: ENOENT -> miss). No reload is needed, and none is
    done: a reload closes connections that old workers have accepted but not yet read a
    request from, which fails a few requests under load. Files still being written
    (``*.0000000001`` temp names) are left alone. Side effects: nginx's size accounting counts
    deleted entries until they are requested again or go ``inactive``, and expiring one logs a
    harmless "unlink() failed (2: No such file)".
    """
    removed = 0
    for dirpath, _dirs, files in os.walk(Path(root) / "nginx" / "cache"):
        for name in files:
            if not TEMP_CACHE_FILE.search(name):
                try:
                    os.unlink(os.path.join(dirpath, name))
                    removed += 1
                except FileNotFoundError:
                    pass
    return removed


def publish(root, db_path, timeout=30, drain=0.5, log=print):
    """Rolling update of the cluster in ``root`` to ``db_path``; returns the new version."""
    version = verify(db_path)["dataset_version"]
    port, replicas = read_layout(root)
    try:
        http_get(port, "/readyz", timeout=2)
    except OSError:
        raise PublishError(f"nginx does not answer on port {port}; start the cluster before publishing") from None
    for replica in replicas:  # all up before any is touched: a down one would miss the update
        wait_ready(replica, timeout=2)
    files = downloads.dataset_files(db_path)  # the database, and its dump and manifest when it has them
    log(f"publishing {db_path} (dataset version {version[:16]}) to {len(replicas)} replica(s)")
    for replica in replicas:
        started = time.monotonic()
        copied = downloads.copy_dataset(files, Path(root) / f"replica-{replica}" / "kb.sqlite", atomic_copy)
        wait_ready(replica, timeout, version=version)
        log(f"  replica-{replica} serves {version[:16]} after {(time.monotonic() - started) * 1000:.0f} ms")
    downloads.publish_files(root, copied, atomic_copy)  # what nginx serves at /v1/downloads/<file>
    # Requests that a replica began on the old file just before its rename may still be
    # finishing (and be stored in the cache): let them drain, then purge.
    time.sleep(drain)
    purged = purge_cache(root)
    wait_ready(port, timeout, version=version, path="/v1")
    log(f"cache purged ({purged} response(s)); nginx on port {port} serves {version[:16]}")
    return version


def versions(root):
    """The dataset version each replica, and nginx, serves now (None: no answer)."""
    port, replicas = read_layout(root)
    seen = {}
    for name, p in [("nginx", port), *((f"replica-{r}", r) for r in replicas)]:
        try:
            seen[name] = http_get(p, "/readyz", timeout=2)[1].get("x-dataset-version")
        except OSError:
            seen[name] = None
    return seen


def main(argv=None):
    parser = argparse.ArgumentParser(prog="publish", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="var/cluster", help="runtime directory (default var/cluster)")
    sub = parser.add_subparsers(dest="command", required=True)
    p_publish = sub.add_parser("publish", help="rolling update to a new database file")
    p_publish.add_argument("db")
    p_publish.add_argument("--timeout", type=float, default=30)
    sub.add_parser("purge", help="empty the nginx cache")
    sub.add_parser("versions", help="the dataset version each replica and nginx serve")
    args = parser.parse_args(argv)
    try:
        if args.command == "publish":
            publish(args.dir, args.db, timeout=args.timeout)
        elif args.command == "purge":
            print(f"purged {purge_cache(args.dir)} cached response(s)")
        else:
            seen = versions(args.dir)
            print(json.dumps(seen, indent=2))
            return 0 if all(seen.values()) else 1
    except PublishError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
