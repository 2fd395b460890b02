"""A YAML loader that remembers where every mapping, sequence and value came from.

Mappings load as :class:`Marked` dicts and sequences as :class:`MarkedList` lists, both
carrying ``line``/``col`` (1-based) of the node and ``marks`` for their children, so every
problem can be reported as ``path:line:column: message``.
"""
import yaml

BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Marked(dict):
    """A mapping with the position of itself (``line``, ``col``), its keys and its values."""

    __slots__ = ("line", "col", "key_marks", "marks")


class MarkedList(list):
    """A sequence with the position of itself and of each item."""

    __slots__ = ("line", "col", "marks")


def _pos(node):
    return node.start_mark.line + 1, node.start_mark.column + 1


class Loader(BaseLoader):
    """SafeLoader (C-accelerated when available) with positions and a few stricter rules.

    - dates stay strings (``2024-07-24`` is not turned into a ``datetime.date``)
    - a repeated key in one mapping is a problem, not a silent overwrite
    """

    def __init__(self, stream):
        super().__init__(stream)
        self.problems = []  # (line, col, message)


def _construct_map(loader, node):
    loader.flatten_mapping(node)
    data = Marked()
    data.line, data.col = _pos(node)
    data.key_marks, data.marks = {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            loader.problems.append((*_pos(key_node), f"mapping key {key!r} is not a string"))
            key = str(key)
        if key in data:
            loader.problems.append((*_pos(key_node), f"duplicate key {key!r} (first at line {data.key_marks[key][0]})"))
            continue
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_marks[key] = _pos(key_node)
        data.marks[key] = _pos(value_node)
    return data


def _construct_seq(loader, node):
    data = MarkedList(loader.construct_object(child, deep=True) for child in node.value)
    data.line, data.col = _pos(node)
    data.marks = [_pos(child) for child in node.value]
    return data


Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def load(stream):
    """Load one YAML document; return ``(data, problems)``.

    A syntax error is raised as :class:`yaml.MarkedYAMLError` (it has ``problem_mark``).
    """
    loader = Loader(stream)
    try:
        return loader.get_single_data(), loader.problems
    finally:
        loader.dispose()


def locate(doc, path):
    """Return ``(line, col)`` of the node at ``path`` (keys and indexes) in ``doc``.

    Walks as deep as the path exists and returns the deepest position found.
    """
    line = getattr(doc, "line", 1)
    col = getattr(doc, "col", 1)
    node = doc
    for step in path:
        if isinstance(node, Marked) and step in node:
            line, col = node.marks[step]
        elif isinstance(node, MarkedList) and isinstance(step, int) and 0 <= step < len(node):
            line, col = node.marks[step]
        else:
            break
        node = node[step]
    return line, col


def locate_key(mapping, key):
    """Position of ``key`` itself in ``mapping`` (for unknown-field problems)."""
    if isinstance(mapping, Marked) and key in mapping.key_marks:
        return mapping.key_marks[key]
    return getattr(mapping, "line", 1), getattr(mapping, "col", 1)
