"""Private copies of the accepted dataset files, so an in-place write cannot reach a worker.

In-place writes: the snapshot. A file overwritten in place (``cp bad.sqlite KB_DB``, a dd into
its middle) keeps its inode, and every open descriptor, hard link and memory map of it sees the
new bytes: reading it under a memory map after a truncation is a SIGBUS that kills the worker,
and SQLite's page cache mixes old and new pages, so even without the map the answers would be
errors or silently wrong. The only way to keep answering from the last good data is to read a
copy nobody else writes. So an accepted dataset (:mod:`api.dataset.swaps`) is served from a private
snapshot: a copy of the file (copy_file_range: a reflink where the filesystem has them) under
``KB_SNAPSHOT_DIR`` (default ``$TMPDIR/kb-snapshots-<uid>``, mode 0700), made from the
descriptor the header check read, its size and mtime compared again after the copy (a write
during the copy rejects it as ``changed``), then checked. The workers of one host share one
copy per file (each keeps a hard link of its own to it, under ``worker-<pid>/``; it is unlinked
when the worker moves on, and directories of dead workers are removed). Cost: one copy of the
file per swap (disk space of one dataset, and the copy time, ~1 s per GB from the page cache)
-- against a memory map that now is safe, so pages are still read at memory speed (dropping the
map instead saves nothing on correctness: see README, "Operating it", for the measurements).
``immutable=1`` tells SQLite the file never changes: true of the snapshot, which only this code
writes, before anyone opens it.
"""
import os
import shutil
import tempfile
import threading
from pathlib import Path

from factmodel.dataset_check import Rejected


def file_key(st):
    """What identifies one version of a file: device, inode, size, mtime (an in-place write
    changes the last two)."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def default_snapshot_dir():
    return os.environ.get("KB_SNAPSHOT_DIR") or os.path.join(tempfile.gettempdir(), f"kb-snapshots-{os.getuid()}")


class Snapshots:
    """Private copies of accepted files (module docstring): ``<dir>/<key>.sqlite`` shared by the
    workers of a host, ``<dir>/worker-<pid>/<key>.sqlite`` each worker's hard link to it."""

    def __init__(self, root):
        self.root = Path(root)
        self.mine = None

    def _ready(self):
        if self.mine is not None and self.mine.name == f"worker-{os.getpid()}" and self.mine.is_dir():
            return
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(self.root)
        if not os.path.isdir(self.root) or os.path.islink(self.root) or st.st_uid != os.getuid():
            raise OSError(f"snapshot directory {self.root} is not a directory owned by this user")
        os.chmod(self.root, 0o700)
        for old in self.root.glob("worker-*"):  # workers that died without cleaning up
            pid = old.name.removeprefix("worker-")
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
        self.mine = self.root / f"worker-{os.getpid()}"
        self.mine.mkdir(mode=0o700, exist_ok=True)

    def take(self, fd, key):
        """This worker's snapshot of the file open on ``fd`` (identity ``key``): a link to the
        host's shared copy, made by this call if there is none. Raises Rejected('changed')
        when the file is written during the copy."""
        self._ready()
        name = "-".join(map(str, key)) + ".sqlite"
        shared, mine = self.root / name, self.mine / name
        mine.unlink(missing_ok=True)
        try:
            os.link(shared, mine)
            return mine
        except FileNotFoundError:
            pass
        tmp = self.root / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                _copy(fd, out, key[2])
            finally:
                os.close(out)
            if file_key(os.fstat(fd)) != key:
                raise Rejected("changed", "the file was written while it was being copied")
            os.link(tmp, mine)
            os.replace(tmp, shared)
        finally:
            tmp.unlink(missing_ok=True)
        return mine

    def drop(self, snapshot):
        """Unlink this worker's link ``snapshot`` and shared copies no worker links any more
        (open connections keep reading an unlinked file)."""
        Path(snapshot).unlink(missing_ok=True)
        for shared in self.root.glob("*.sqlite"):
            try:
                if os.stat(shared).st_nlink == 1:
                    shared.unlink()
            except FileNotFoundError:
                pass

    def close(self):
        if self.mine is not None and self.mine.name == f"worker-{os.getpid()}":
            shutil.rmtree(self.mine, ignore_errors=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _copy(src, dst, size):
    """Copy ``size`` bytes of ``src`` to ``dst`` (descriptors) in the kernel, from offset 0."""
    offset = 0
    try:
        while offset < size:
            done = os.copy_file_range(src, dst, size - offset, offset, offset)
            if done == 0:
                break
            offset += done
    except OSError:  # copy_file_range across filesystems on old kernels, or not supported
        while offset < size:
            done = os.sendfile(dst, src, offset, min(size - offset, 1 << 30))
            if done == 0:
                break
            offset += done
    if offset != size:
        raise Rejected("changed", f"the file shrank while it was being copied ({offset} of {size} bytes)")
