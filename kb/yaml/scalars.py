"""One-line YAML scalars for the fast reader: plain, single- and double-quoted, flow
sequences of them (``[a, 'b', "c"]``), flow mappings of them with plain keys
(``{relation: reported_by, entity: 'x'}``) and flow sequences of such mappings
(``[{a: b}, {}]``), valued and positioned as PyYAML values and positions them.

Anything else raises :class:`Unsupported`, and the document is left to PyYAML.
"""
import re

import yaml

from .nodes import Marked, MarkedList


class Unsupported(Exception):
    """The text is outside the fast reader's subset."""


_DQ = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SQ = re.compile(r"'((?:[^']|'')*)'")
_TAIL = re.compile(r"(?: +#.*)?")
_ESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|["\\/nrtbf])')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
_FLOW_ITEM = re.compile(
    r"""( *)(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s,\[\]{}#'"&*!|>%@`?:\-][^,\[\]{}#:]*)) *([,\]])""")
# one `key: value` of a flow mapping, and the "," or "}" after it: the key is a plain key (as in
# a block mapping: no quotes, no spaces, "key:" then a space); the value is a double- or single-quoted
# scalar or a plain scalar without ":", "#", "?" (pure-Python PyYAML and libyaml read "x?y" in flow
# context differently) or a flow indicator, starting with "-" only if a character of its own follows
_FLOW_PAIR = re.compile(
    r"""( *)([A-Za-z_][A-Za-z0-9_-]*):( +)(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|"""
    r"""((?:[^\s,\[\]{}#'"&*!|>%@`?:\-]|-(?=[^\s,\[\]{}#:?]))[^,\[\]{}#:?]*)) *([,}])""")
_SPACES = re.compile(" *")
_FLOW_END = re.compile(r" *([,\]])")  # after an item of a flow sequence
# a key is "simple" (PyYAML's and libyaml's word) only if its ":" is at most 1024 characters after its start
_MAX_KEY = 1024
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
    and the keys cached, since they repeat from fact to fact."""

    def __init__(self):
        self._plain_values = {}  # short plain scalar -> its value (immutable values only)
        self._keys = {}  # key -> the same string if it is a string key, else False

    def key(self, key):
        """One string object per distinct key; raise if ``key`` is not a string key (``yes``,
        ``null``) or too long to be a simple key."""
        canonical = self._keys.get(key)
        if canonical is None:
            canonical = self._keys[key] = key if len(key) <= _MAX_KEY and is_string_key(key) else False
        if canonical is False:
            raise Unsupported  # PyYAML reports it
        return canonical

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
        if first == "{":
            mapping, end = self.flow_map(rest, 0, line, col, marked)
            if not _TAIL.fullmatch(rest, end):
                raise Unsupported
            return mapping
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
                    start = _SPACES.match(rest, pos).end()
                    if rest.startswith("{", start):  # a flow mapping
                        mapping, pos = self.flow_map(rest, start, line, col, marked)
                        items.append(mapping)
                        if marked:
                            items.marks.append((line, col + start))
                        match = _FLOW_END.match(rest, pos)
                        if match is None:
                            raise Unsupported
                        pos = match.end()
                        if match.group(1) == "]":
                            break
                        continue
                    raise Unsupported
                items.append(self.flow_scalar(*match.group(2, 3, 4)))
                if marked:
                    items.marks.append((line, col + match.end(1)))
                pos = match.end()
                if match.group(5) == "]":
                    break
        if not _TAIL.fullmatch(rest, pos):
            raise Unsupported
        return items

    def flow_scalar(self, dq, sq, plain):
        """The value of a flow item or mapping value matched as double-quoted ``dq``, single-quoted
        ``sq`` or ``plain`` (the patterns take the spaces before "," and the closing bracket)."""
        if plain is not None:
            return self.plain(plain.rstrip(" "))
        if sq is not None:
            return sq.replace("''", "'")
        return _unescape(dq) if "\\" in dq else dq

    def flow_map(self, rest, start, line, col, marked):
        """The flow mapping at ``rest[start]`` ("{"), and the index just past its "}";
        ``rest[0]`` is at column ``col``."""
        mapping = Marked() if marked else {}
        if marked:
            mapping.line, mapping.col, mapping.key_marks, mapping.marks = line, col + start, {}, {}
        pos = _SPACES.match(rest, start + 1).end()
        if rest.startswith("}", pos):
            return mapping, pos + 1
        key_of = self.key
        while True:
            match = _FLOW_PAIR.match(rest, pos)
            if match is None:
                raise Unsupported  # a trailing ",", "? ", a key without a value, a nested collection, ...
            key = key_of(match.group(2))
            if key in mapping:
                raise Unsupported  # a duplicate key: PyYAML reports it
            mapping[key] = self.flow_scalar(*match.group(4, 5, 6))
            if marked:
                mapping.key_marks[key] = (line, col + match.end(1))
                mapping.marks[key] = (line, col + match.end(3))
            pos = match.end()
            if match.group(7) == "}":
                return mapping, pos
