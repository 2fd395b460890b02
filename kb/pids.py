"""Whose is a leftover file: temporary files and folders of builds carry their builder's pid."""
import os


def left_by_a_dead_build(pid):
    """True when no other live process has ``pid`` (this process's own files are not left over)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return pid == os.getpid()
