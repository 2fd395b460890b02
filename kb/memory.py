"""Give the memory a build phase freed back to the system.

glibc keeps what C code frees in its malloc arenas (SQLite's page cache; Tantivy's writer threads,
~230 MB at 1M facts), so without a trim a phase's peak stays in the process through every later
phase (bench/build_phases.py shows each phase's start, peak and end RSS).
"""
import ctypes


def release_freed_memory():
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass
