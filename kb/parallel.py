"""An order-preserving map over files, with forked reader processes.

``ordered_map(fn, items, workers)`` yields ``(item, parts)`` for every item, in order,
``parts`` iterating over what the generator ``fn(item)`` yields. With ``workers == 0``
everything runs in this process; otherwise reader ``k`` of ``workers`` forked processes
runs ``fn`` on items ``k``, ``k + workers``, ... and sends each part over a queue (at most
``read_ahead`` parts ahead of their use), followed by None at the end of each item. Parts
must be picklable and not None. An exception in a reader is raised again here as
:class:`ReaderFailed`, with the reader's traceback.
"""
import multiprocessing
import os
import traceback
from queue import Empty

PARALLEL_MIN_BYTES = 8 * 2**20  # files smaller than this in all are read in this process
READ_AHEAD = 4  # parts a reader process may send ahead of their use


class ReaderFailed(RuntimeError):
    pass


def worker_count(paths, requested=None):
    """Reader processes for ``paths``: ``requested`` if given, else $KB_WORKERS, else one for
    inputs of at least PARALLEL_MIN_BYTES on a machine with 2+ cores; none without fork."""
    workers = requested
    if workers is None:
        workers = int(os.environ.get("KB_WORKERS", "-1"))
    if workers < 0:
        big = sum(os.path.getsize(path) for path in paths) >= PARALLEL_MIN_BYTES
        workers = 1 if big and (os.cpu_count() or 1) >= 2 else 0
    if "fork" not in multiprocessing.get_all_start_methods():
        workers = 0
    return min(workers, len(paths)) if len(paths) > 1 else 0


def ordered_map(fn, items, workers, read_ahead=READ_AHEAD):
    items = list(items)
    if workers == 0:
        for item in items:
            yield item, fn(item)
        return
    context = multiprocessing.get_context("fork")
    queues = [context.Queue(maxsize=read_ahead) for _ in range(workers)]
    readers = [context.Process(target=_read, args=(fn, items[k::workers], queues[k]), daemon=True)
               for k in range(workers)]
    for reader in readers:
        reader.start()
    try:
        for i, item in enumerate(items):
            parts = _received(queues[i % workers], readers[i % workers])
            yield item, parts
            for _ in parts:  # whatever the caller left of this item, so the next one lines up
                pass
    finally:
        for reader in readers:
            if reader.is_alive():
                reader.terminate()
            reader.join()
        for queue in queues:
            queue.close()
            queue.cancel_join_thread()


def _read(fn, items, queue):
    """A reader process: run ``fn`` on ``items`` in order and send what it yields."""
    try:
        for item in items:
            for part in fn(item):
                queue.put(part)
            queue.put(None)
    except BaseException:  # noqa: BLE001 - the main process raises it again
        queue.put(ReaderFailed(f"reader process failed:\n{traceback.format_exc()}"))


def _received(queue, reader):
    """The parts of one item from a reader process, up to its closing None."""
    while True:
        try:
            part = queue.get(timeout=1)
        except Empty:
            if not reader.is_alive():
                raise ReaderFailed(f"reader process {reader.pid} died (exit code {reader.exitcode})") from None
            continue
        if part is None:
            return
        if isinstance(part, ReaderFailed):
            raise part
        yield part
