"""Problems (``path:line:column: message``) and where they come from.

The rules (:mod:`kb.rules`, :mod:`kb.jsonschemas`) work on values only and say *where* in a
document something is wrong as an :class:`Issue` (a path of keys and indexes). Only then is
the file read again with positions (:class:`Positions`, the one place that does it) to
turn each issue into a :class:`Problem`.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from . import yaml as seed_yaml


class CurateError(Exception):
    """A mistake in a curator command's arguments (:mod:`kb.curate`): printed, exit status 2."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem. ``cause``: the root-cause problem this one follows from (a reference into a
    file that did not parse), listed right after it (:func:`kb.hints.root_cause_order`)."""

    path: str
    line: int
    col: int
    message: str
    cause: "Problem | None" = field(default=None, compare=False, repr=False)

    def __str__(self):
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class Issue(NamedTuple):
    """A problem inside one document: ``where`` is a path of keys and indexes to the value
    at fault (or, with ``at_key``, to the key ``where[-1]`` itself)."""

    where: tuple
    message: str
    at_key: bool = False


class Positions:
    """Reads files again with positions to place issues; keeps the last file read, since
    issues come file by file."""

    def __init__(self, reader=None):
        self._reader = reader
        self._last = (None, None)  # (path, document with positions)

    def of(self, path, where, at_key=False):
        """``(line, col)`` of ``where`` in the file at ``path``."""
        path = str(path)
        if self._last[0] != path:
            self._last = (None, None)
            self._last = (path, seed_yaml.positions_of(Path(path).read_bytes(), self._reader))
        return seed_yaml.locate(self._last[1], where, at_key)

    def problems(self, path, issues):
        """The :class:`Problem` of each of ``issues`` in the file at ``path``."""
        return [Problem(str(path), *self.of(path, issue.where, issue.at_key), issue.message) for issue in issues]

    def forget(self):
        self._last = (None, None)
