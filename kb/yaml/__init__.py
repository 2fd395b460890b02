"""Reading seed YAML: values fast, positions only when a problem needs them.

- :func:`load` gives a document's values: the fast reader (:mod:`kb.yaml.fast`) for the
  block-style subset seeds are written in, PyYAML (:mod:`kb.yaml.marked`) for anything else.
- :func:`positions_of` reads a document again *with* positions (error path only), by the
  same route, so the positions are PyYAML's either way; :func:`locate` then finds the
  ``(line, col)`` of a path in it.
"""
from . import fast, marked
from .marked import locate

__all__ = ["load", "positions_of", "locate"]


def load(data, reader):
    """Values of the YAML document in ``data`` (UTF-8 bytes); return ``(document, problems)``,
    ``problems`` being ``(line, col, message)`` for repeated or non-string keys.

    A syntax error is raised as :class:`yaml.MarkedYAMLError`; bytes that are not UTF-8
    raise :class:`UnicodeDecodeError`. ``reader`` is a :class:`kb.yaml.fast.Reader`.
    """
    text = data.decode("utf-8")
    if not fast.rejected(data):
        doc = reader.read_checked(text)
        if doc is not None:
            return doc, []
    return marked.load(data)


def positions_of(data, reader=None):
    """The document in ``data`` (UTF-8 bytes) as :class:`~kb.yaml.nodes.Marked` /
    :class:`~kb.yaml.nodes.MarkedList` nodes, for :func:`locate`."""
    if not fast.rejected(data):
        doc = (reader or fast.Reader()).read_checked(data.decode("utf-8"), marked=True)
        if doc is not None:
            return doc
    return marked.load(data)[0]
