"""A line-by-line reader for the block-style subset of YAML that seed files use.

It reads mappings and sequences by indentation, one-line plain / single- / double-quoted
scalars, one-line flow sequences of scalars, one-line flow mappings of such scalars with
plain keys (``- {relation: reported_by, entity: x}``, ``key: {a: b}``, ``key: [{a: b}, {}]``)
and comments, and gives up (returns None) on anything else: anchors, tags, block scalars
(``|``, ``>-``), multi-line scalars or flow collections, flow collections inside a flow
mapping, ``? `` keys, quoted or valueless keys in a flow mapping, document markers, tabs,
unusual escapes, empty values, duplicate or non-string keys, ... Whatever it gives up on is
read by PyYAML instead (:func:`kb.yaml.load`), so the subset is a speed-up, never a rule for
curators. Plain scalars are resolved with PyYAML's own resolver rules and constructors, and
dates stay strings, as in :mod:`kb.yaml.marked`.

``Reader().read(text)`` gives plain dicts and lists; ``read(text, marked=True)`` gives
:class:`~kb.yaml.nodes.Marked` / :class:`~kb.yaml.nodes.MarkedList` nodes with the same
positions PyYAML's marks give (``tests/kb/test_yaml_differential.py`` checks both).
"""
import re

from .nodes import Marked, MarkedList
from .scalars import MAYBE_NOT_STR, NOT_PLAIN_START, Scalars, Unsupported

# a value starting with none of these is a plain scalar if it has no ": " or " #" and does not end with ":"
_SPECIAL_START = NOT_PLAIN_START | set("-?: ")
# one line: indentation, "- " (an item), "key:" and the separating spaces, the rest
_LINES = re.compile(r"^( *)(?:(- +)(?=[^ \n]))?(?:([A-Za-z_][A-Za-z0-9_-]*):( +|$))?(.*)$", re.M)


# what PyYAML refuses (yaml.reader.Reader.NON_PRINTABLE), plus tabs, BOMs and every line break but "\n"
_REJECT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# the same for UTF-8 bytes (which hold no surrogates), checked with a few fast scans
_KEEP_CONTROLS = bytes(b for b in range(256) if not (b < 0x20 and b != 0x0A or b == 0x7F))
_C1_CONTROLS = re.compile(rb"\xc2[\x80-\x9f]")  # U+0080..U+009F, U+0085 (a line break) among them
_REJECT_BYTES = tuple(c.encode() for c in ("\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff"))


def rejected(data):
    """Whether UTF-8 ``data`` (bytes) has a character the reader leaves to PyYAML."""
    if data.translate(None, _KEEP_CONTROLS):
        return True  # an ASCII control character other than "\n"
    if data.isascii():
        return False
    return _C1_CONTROLS.search(data) is not None or any(sequence in data for sequence in _REJECT_BYTES)


class Reader:
    """Reads documents of the subset. Keeps what repeats across documents (resolved keys,
    short plain scalars such as ``null``, dates, kinds) so one reader per build is fastest."""

    def __init__(self):
        self._scalars = Scalars()

    def read(self, text, marked=False):
        """The document in ``text``, or None if it is not in the subset."""
        if _REJECT.search(text):
            return None
        return self.read_checked(text, marked)

    def read_checked(self, text, marked=False):
        """As :meth:`read`, for a text already known to pass :func:`rejected`."""
        try:
            return self._read(text, marked)
        except (Unsupported, RecursionError):
            return None

    def _read(self, text, marked):
        root = []  # holds the document while it is read
        stack = []  # open containers, innermost last: (indent, container, is_map)
        top = None
        # a `key:` (or the document itself) waiting for its nested block: (container, key, indent)
        pending = (root, None, -1)
        new_map, new_list = (Marked, MarkedList) if marked else (dict, list)
        special, maybe_not_str, key_of = _SPECIAL_START, MAYBE_NOT_STR, self._scalars.key
        plain, inline = self._scalars.plain, self._scalars.inline
        number = 0
        for match in _LINES.finditer(text):
            indent, dash, key, sep, rest = match.groups()
            number += 1
            if rest and rest[-1] == " ":
                rest = rest.rstrip(" ")
            if not key and not dash:
                if not rest or rest[0] == "#":
                    continue  # a blank line or a comment
                raise Unsupported  # a lone scalar, a continuation line, a document marker, a directive, ...
            col = len(indent)
            if pending is not None:
                owner, owner_key, owner_indent = pending
                if col <= owner_indent:
                    raise Unsupported  # an empty value, or an indentless sequence
                container = new_list() if dash else new_map()
                if marked:
                    container.line, container.col = number, col + 1
                    if dash:
                        container.marks = []
                    else:
                        container.key_marks, container.marks = {}, {}
                if owner_key is None:
                    owner.append(container)
                else:
                    owner[owner_key] = container
                    if marked:
                        owner.marks[owner_key] = (number, col + 1)
                top = (col, container, not dash)
                stack.append(top)
                pending = None
            else:
                if top[0] != col:
                    while top[0] > col:
                        stack.pop()
                        if not stack:
                            raise Unsupported
                        top = stack[-1]
                    if top[0] != col:
                        raise Unsupported  # a continuation line
                if bool(dash) == top[2]:
                    raise Unsupported  # an item where a key belongs, or the reverse
            if dash:
                seq = top[1]
                col += len(dash)
                if marked:
                    mark = (number, col + 1)
                    seq.marks.append(mark)
                if not key:
                    if rest[0] == "#" or rest[0] == "-" and (len(rest) == 1 or rest[1] == " "):
                        raise Unsupported  # an empty item or a nested sequence
                    seq.append(inline(rest, number, col + 1, marked))
                    continue
                mapping = new_map()
                if marked:
                    mapping.line, mapping.col = mark
                    mapping.key_marks, mapping.marks = {}, {}
                seq.append(mapping)
                top = (col, mapping, True)
                stack.append(top)
            else:
                mapping = top[1]
                if key in mapping:
                    raise Unsupported  # a duplicate key: PyYAML reports it
            key = key_of(key)
            if marked:
                mapping.key_marks[key] = (number, col + 1)
            if not rest:
                pending = (mapping, key, col)
                continue
            at = col + len(key) + len(sep) + 2
            if marked:
                mapping.marks[key] = (number, at)
            first = rest[0]
            if first not in special and ": " not in rest and " #" not in rest and rest[-1] != ":":
                mapping[key] = plain(rest) if first in maybe_not_str else rest  # a plain scalar
            elif first == '"' and rest[-1] == '"' and rest.count('"') == 2 and "\\" not in rest:
                mapping[key] = rest[1:-1]  # a double-quoted string without escapes
            else:
                mapping[key] = inline(rest, number, at, marked)
        if pending is not None or len(root) != 1:
            raise Unsupported
        return root[0]
