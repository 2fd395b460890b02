"""One-line YAML scalars for the fast reader: plain, single- and double-quoted, and flow
sequences of them (``[a, 'b', "c"]``), valued as PyYAML values them.

Anything else raises :class:`Unsupported`, and the document is left to PyYAML.
"""
import re

import yaml

from .nodes import MarkedList


class Unsupported(Exception):
    """The text is outside the fast reader's subset."""


_DQ = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SQ = re.compile(r"'((?:[^']|'')*)'")
_TAIL = re.compile(r"(?: +#.*)?")
_ESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|["\\/nrtbf])')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
_FLOW_ITEM = re.compile(
    r"""( *)(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s,\[\]{}#'"&*!|>%@`?:\-][^,\[\]{}#:]*)) *([,\]])""")
NOT_PLAIN_START = set(",[]{}#&*!|>'\"%@`")
_STR = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_BUILD = {
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
    "tag:yaml.org,2002:timestamp": _CONSTRUCTOR.construct_scalar,  # dates stay strings
}
assert None not in _RESOLVER.yaml_implicit_resolvers  # no resolver applies to every first character
_IMPLICIT = {first: list(resolvers) for first, resolvers in _RESOLVER.yaml_implicit_resolvers.items() if first}
MAYBE_NOT_STR = set(_IMPLICIT)  # a plain scalar starting with another character is a string
_PLAIN_CACHE_SIZE = 65536
_PLAIN_CACHE_WIDTH = 40


def _unescape(body):
    parts = _ESCAPE.split(body)
    for i in range(0, len(parts), 2):
        if "\\" in parts[i]:
            raise Unsupported
    for i in range(1, len(parts), 2):
        code = parts[i]
        if code[0] == "u":
            point = int(code[1:], 16)
            if 0xD800 <= point <= 0xDFFF:
                raise Unsupported
            parts[i] = chr(point)
        else:
            parts[i] = _ESCAPES[code]
    return "".join(parts)


def is_string_key(key):
    """Whether a plain key is a string for PyYAML (not ``yes``, ``null``, ``1``, ...)."""
    return _RESOLVER.resolve(yaml.ScalarNode, key, (True, False)) == _STR


class Scalars:
    """Values of one-line scalars, with the short plain ones (``null``, dates, counts, kinds)
    cached, since they repeat from fact to fact."""

    def __init__(self):
        self._plain_values = {}  # short plain scalar -> its value (immutable values only)

    def plain(self, value):
        """A plain scalar's value, resolved as PyYAML's ``Resolver.resolve`` and constructors do."""
        cache = self._plain_values
        cached = cache.get(value, cache)
        if cached is not cache:
            return cached
        result = value
        for tag, regexp in _IMPLICIT.get(value[0], ()):
            if regexp.match(value):
                build = _BUILD.get(tag)
                if build is None:
                    raise Unsupported  # `<<` or `=`
                result = build(yaml.ScalarNode(tag, value))
                break
        if len(value) <= _PLAIN_CACHE_WIDTH and isinstance(result, (str, int, float, type(None))):
            if len(cache) >= _PLAIN_CACHE_SIZE:
                cache.clear()
            cache[value] = result  # (bool is an int)
        return result

    def inline(self, rest, line, col, marked):
        """The value written after ``key:`` or ``-`` on one line, starting at column ``col``."""
        first = rest[0]
        if first == '"' or first == "'":
            match = (_DQ if first == '"' else _SQ).match(rest)
            if match is None or not _TAIL.fullmatch(rest, match.end()):
                raise Unsupported
            body = match.group(1)
            if first == "'":
                return body.replace("''", "'")
            return _unescape(body) if "\\" in body else body
        if first == "[":
            return self.flow_seq(rest, line, col, marked)
        if first in NOT_PLAIN_START or (first in "-?:" and (len(rest) == 1 or rest[1] == " ")):
            raise Unsupported
        cut = rest.find(" #")
        if cut >= 0:
            rest = rest[:cut].rstrip(" ")
        if ": " in rest or rest[-1] == ":":
            raise Unsupported
        return self.plain(rest)

    def flow_seq(self, rest, line, col, marked):
        items = MarkedList() if marked else []
        if marked:
            items.line, items.col, items.marks = line, col, []
        pos = 1
        if rest[1:].lstrip(" ").startswith("]"):
            pos = rest.index("]") + 1
        else:
            while True:
                match = _FLOW_ITEM.match(rest, pos)
                if match is None:
                    raise Unsupported
                dq, sq, plain = match.group(2, 3, 4)
                if plain is not None:
                    value = self.plain(plain.rstrip(" "))  # (the pattern took the spaces before "," or "]")
                elif sq is not None:
                    value = sq.replace("''", "'")
                else:
                    value = _unescape(dq) if "\\" in dq else dq
                items.append(value)
                if marked:
                    items.marks.append((line, col + match.end(1)))
                pos = match.end()
                if match.group(5) == "]":
                    break
        if not _TAIL.fullmatch(rest, pos):
            raise Unsupported
        return items

