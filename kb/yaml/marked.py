"""PyYAML (C-accelerated when available) with positions, and :func:`locate`.

:class:`Loader` reads any YAML document into :class:`~kb.yaml.nodes.Marked` /
:class:`~kb.yaml.nodes.MarkedList` nodes, with a few stricter rules than ``SafeLoader``:

- dates stay strings (``2024-07-24`` is not turned into a ``datetime.date``);
- a repeated key in one mapping, or a key that is not a string, is a problem (in
  ``loader.problems``), not a silent overwrite.
"""
import yaml

from .nodes import Marked, MarkedList

BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _pos(node):
    return node.start_mark.line + 1, node.start_mark.column + 1


class Loader(BaseLoader):
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


def load(data):
    """Read one document (``bytes`` or ``str``) with PyYAML; return ``(document, problems)``.

    A syntax error is raised as :class:`yaml.MarkedYAMLError` (it has ``problem_mark``).
    """
    loader = Loader(data)
    try:
        return loader.get_single_data(), loader.problems
    finally:
        loader.dispose()


def locate(doc, where, at_key=False):
    """``(line, col)`` of the value at ``where`` (keys and indexes) in the marked ``doc``,
    or of the key ``where[-1]`` itself if ``at_key``.

    Walks as deep as the path exists and returns the deepest position found.
    """
    line, col = getattr(doc, "line", 1), getattr(doc, "col", 1)
    steps = where[:-1] if at_key and where else where
    node = doc
    for step in steps:
        if isinstance(node, Marked) and step in node:
            line, col = node.marks[step]
        elif isinstance(node, MarkedList) and isinstance(step, int) and 0 <= step < len(node):
            line, col = node.marks[step]
        else:
            return line, col
        node = node[step]
    if at_key and where and isinstance(node, Marked) and where[-1] in node.key_marks:
        return node.key_marks[where[-1]]
    return line, col
