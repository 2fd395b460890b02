"""Documents with positions: what :func:`kb.yaml.positions_of` returns.

Mappings are :class:`Marked` dicts and sequences :class:`MarkedList` lists; both carry the
``line``/``col`` (1-based) of the node and ``marks`` for their children (``marks[key]`` or
``marks[index]`` is where the value starts); a :class:`Marked` also has ``key_marks``.
"""


class Marked(dict):
    """A mapping with the position of itself (``line``, ``col``), its keys and its values."""

    __slots__ = ("line", "col", "key_marks", "marks")


class MarkedList(list):
    """A sequence with the position of itself and of each item."""

    __slots__ = ("line", "col", "marks")
