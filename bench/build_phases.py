"""Peak memory of ``kb build`` by phase: where the build's memory goes.

    python -m bench.build_phases --seeds var/bench/n100000-seed1/seeds --db /tmp/phases.sqlite

Runs the build in this process with the phases of ``kb/build.py`` wrapped: before each phase
the kernel's peak-RSS mark is reset (``/proc/self/clear_refs``, value 5), after it VmHWM is the
phase's own peak; reader processes (forked while facts are read) are sampled every 20 ms and
their PSS added. Prints one line per phase: seconds, RSS at start, peak RSS, peak of readers.
"""
import argparse
import os
import sys
import threading
import time
from contextlib import contextmanager

from kb import build as kb_build
from kb import releases, search_index
from kb.seeds import Seeds


def _status(field):
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith(field + ":")) / 1024


def _children():
    """(sum of PSS, largest VmHWM) of this process's children, in MB."""
    total, hwm = 0, 0
    try:
        with open(f"/proc/self/task/{os.getpid()}/children") as handle:
            pids = handle.read().split()
    except OSError:
        return 0, 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
            with open(f"/proc/{pid}/status") as handle:
                hwm = max(hwm, next(int(line.split()[1]) for line in handle if line.startswith("VmHWM:")))
        except (OSError, StopIteration):
            pass
    return total / 1024, hwm / 1024


class Phases:
    def __init__(self):
        self.rows = []
        self.children_peak = self.children_hwm = 0.0
        self.depth = 0
        self.stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self):
        while not self.stop.wait(0.02):
            pss, hwm = _children()
            self.children_peak = max(self.children_peak, pss)
            self.children_hwm = max(self.children_hwm, hwm)

    @contextmanager
    def phase(self, name):
        if self.depth:  # a phase inside a phase (enable_fts runs db.execute) is part of the outer one
            yield
            return
        self.depth += 1
        with open("/proc/self/clear_refs", "w") as handle:  # VmHWM := VmRSS
            handle.write("5")
        start_rss, started = _status("VmRSS"), time.perf_counter()
        self.children_peak = self.children_hwm = 0.0
        try:
            yield
        finally:
            self.depth -= 1
            self.rows.append((name, time.perf_counter() - started, start_rss, _status("VmHWM"),
                              _status("VmRSS"), self.children_peak, self.children_hwm))

    def wrap(self, owner, attr, name=None):
        inner = getattr(owner, attr)
        phases = self

        def wrapped(*args, **kwargs):
            with phases.phase(name or attr):
                return inner(*args, **kwargs)
        setattr(owner, attr, wrapped)

    def wrap_generator(self, owner, attr, name=None):
        inner = getattr(owner, attr)
        phases = self

        def wrapped(*args, **kwargs):
            with phases.phase(name or attr):
                yield from inner(*args, **kwargs)
        setattr(owner, attr, wrapped)

    def print(self, out=sys.stdout):
        print(f"{'phase':<22} {'s':>7} {'RSS start':>10} {'peak RSS':>9} {'RSS end':>8} {'readers PSS':>12} {'reader peak RSS':>16}  (MB)",
              file=out)
        for name, seconds, start, peak, end, children, child_hwm in self.rows:
            print(f"{name:<22} {seconds:7.1f} {start:10.0f} {peak:9.0f} {end:8.0f} {children:12.0f} {child_hwm:16.0f}",
                  file=out)
        print(f"peak RSS of this process: {max(r[3] for r in self.rows):.0f} MB, of a reader: "
              f"{max(r[6] for r in self.rows):.0f} MB", file=out)


@contextmanager
def _nothing():
    yield


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.build_phases", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    phases = Phases()
    phases.wrap(Seeds, "load_sources")
    phases.wrap(Seeds, "load_entities")
    phases.wrap_generator(Seeds, "iter_facts", "facts (read+insert)")
    phases.wrap(Seeds, "finish")
    phases.wrap(kb_build, "create_indexes")
    phases.wrap(kb_build, "detect_conflicts")
    phases.wrap(kb_build.facet_counts, "write", "facet_counts")
    phases.wrap(kb_build.sqlite_utils.db.Table, "enable_fts")
    phases.wrap(search_index, "write", "search_index")
    phases.wrap(kb_build.artifacts, "write_dump")
    phases.wrap(releases, "release_history")
    phases.wrap(releases, "write_tables")
    phases.wrap(kb_build.sqlite_utils.Database, "analyze")
    execute = kb_build.sqlite_utils.Database.execute

    def execute_phase(db, sql, *rest):  # the build's own UPDATE statements
        with phases.phase(" ".join(sql.split())[:22]) if sql.lstrip().upper().startswith("UPDATE") else _nothing():
            return execute(db, sql, *rest)
    kb_build.sqlite_utils.Database.execute = execute_phase
    phases.wrap(kb_build.artifacts, "install")
    started = time.perf_counter()
    kb_build.build(args.seeds, args.db, progress=False)
    phases.stop.set()
    phases.print()
    print(f"total {time.perf_counter() - started:.1f} s, VmHWM reset per phase; "
          f"CPU {sum(os.times()[:4]):.1f} s", file=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
