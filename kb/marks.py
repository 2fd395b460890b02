"""A YAML loader that remembers where every mapping, sequence and value came from.

Mappings load as :class:`Marked` dicts and sequences as :class:`MarkedList` lists, both
carrying ``line``/``col`` (1-based) of the node and ``marks`` for their children, so every
problem can be reported as ``path:line:column: message``.

Plain block-style files (what seeds are made of) are read by a fast line-based reader;
anything else goes to PyYAML (C-accelerated), so values, positions and messages are the
same either way. With ``load(..., lazy=True)`` the fast reader does not record positions
while reading: the first time any node's ``line``/``col``/``marks``/``key_marks`` is asked
for (that is, when there is a problem to report), the file is read again with positions and
every node of the document gets them.
"""
import re
import weakref

import yaml

BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_POSITIONS = frozenset(("line", "col", "key_marks", "marks"))


def _positions_on_demand(node, name):
    if name not in _POSITIONS:
        raise AttributeError(name)
    try:
        lazy = object.__getattribute__(node, "lazy")
    except AttributeError:
        raise AttributeError(name) from None
    lazy.fill()
    return object.__getattribute__(node, name)


class Marked(dict):
    """A mapping with the position of itself (``line``, ``col``), its keys and its values."""

    __slots__ = ("line", "col", "key_marks", "marks", "lazy", "__weakref__")
    __getattr__ = _positions_on_demand  # only called for a position not recorded yet


class MarkedList(list):
    """A sequence with the position of itself and of each item."""

    __slots__ = ("line", "col", "marks", "lazy", "__weakref__")
    __getattr__ = _positions_on_demand


class _LazyPositions:
    """The text of a document read without positions, to read them when first needed."""

    __slots__ = ("text", "root")

    def __init__(self, text):
        self.text = text
        self.root = None

    def fill(self):
        root = self.root() if self.root is not None else None
        if root is None:
            raise AttributeError("positions are no longer available")
        marked = _fast(self.text)
        stack = [(root, marked)]
        while stack:
            node, source = stack.pop()
            node.line, node.col, node.marks = source.line, source.col, source.marks
            if isinstance(source, Marked):
                node.key_marks = source.key_marks
                pairs = [(node[key], source[key]) for key in source]
            else:
                pairs = zip(node, source)
            stack.extend((a, b) for a, b in pairs if isinstance(b, (Marked, MarkedList)))


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


def load(data, lazy=False):
    """Load one YAML document (``bytes``, ``str`` or a stream); return ``(data, problems)``.

    A syntax error is raised as :class:`yaml.MarkedYAMLError` (it has ``problem_mark``);
    bytes that are not UTF-8 raise :class:`UnicodeDecodeError`.
    """
    if isinstance(data, bytes):
        text = data.decode("utf-8")
        doc = None if _rejected(data) else _fast_or_none(text, lazy)
        if doc is not None:
            return doc, []
    elif isinstance(data, str):
        doc = fast_load(data, lazy)
        if doc is not None:
            return doc, []
    loader = Loader(data)
    try:
        return loader.get_single_data(), loader.problems
    finally:
        loader.dispose()


# -- the fast reader ---------------------------------------------------------------------------
# A line-by-line reader for the block-style subset of YAML that seed files use: mappings and
# sequences by indentation, one-line plain / single- / double-quoted scalars, one-line flow
# sequences of scalars, comments. It gives up (returns None) on anything else — anchors,
# tags, block scalars, multi-line scalars, flow mappings, document markers, tabs, unusual
# escapes, empty values, duplicate or non-string keys, ... — and PyYAML then reads the file.
# Plain scalars are resolved with PyYAML's own resolver rules and constructors.

class _Unsupported(Exception):
    pass


_DQ = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SQ = re.compile(r"'((?:[^']|'')*)'")
_TAIL = re.compile(r"(?: +#.*)?")
_ESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|["\\/nrtbf])')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
_FLOW_ITEM = re.compile(
    r"""( *)(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s,\[\]{}#'"&*!|>%@`?:\-][^,\[\]{}#:]*)) *([,\]])""")
_NOT_PLAIN_START = set(",[]{}#&*!|>'\"%@`")
# what PyYAML refuses (yaml.reader.Reader.NON_PRINTABLE), plus tabs, BOMs and every line break but "\n"
_REJECT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_STR = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_BUILD = {
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
    "tag:yaml.org,2002:timestamp": _CONSTRUCTOR.construct_scalar,  # dates stay strings, as in Loader
}
assert None not in _RESOLVER.yaml_implicit_resolvers  # no resolver applies to every first character
_IMPLICIT = {first: list(resolvers) for first, resolvers in _RESOLVER.yaml_implicit_resolvers.items() if first}
_MAYBE_NOT_STR = set(_IMPLICIT)  # a plain scalar starting with another character is a string
# one line: indentation, "- " (an item), "key:" and the separating spaces, the rest
_LINES = re.compile(r"^( *)(?:(- +)(?=[^ \n]))?(?:([A-Za-z_][A-Za-z0-9_-]*):( +|$))?(.*)$", re.M)
# a value starting with none of these is a plain scalar if it has no ": " or " #" and does not end with ":"
_SPECIAL_START = _NOT_PLAIN_START | set("-?: ")
_key_is_str = {}  # key -> the same string if it is a string key, else False


_plain_cache = {}  # short plain scalar -> its value (they repeat: null, dates, counts, kinds, ...)
_PLAIN_CACHE_SIZE = 65536
_PLAIN_CACHE_WIDTH = 40


def _plain(value):
    """A plain scalar's value, resolved as PyYAML's ``Resolver.resolve`` and constructors do."""
    cached = _plain_cache.get(value, _plain_cache)
    if cached is not _plain_cache:
        return cached
    result = value
    for tag, regexp in _IMPLICIT.get(value[0], ()):
        if regexp.match(value):
            build = _BUILD.get(tag)
            if build is None:
                raise _Unsupported  # `<<` or `=`
            result = build(yaml.ScalarNode(tag, value))
            break
    if len(value) <= _PLAIN_CACHE_WIDTH and isinstance(result, (str, int, float, type(None))):
        if len(_plain_cache) >= _PLAIN_CACHE_SIZE:
            _plain_cache.clear()
        _plain_cache[value] = result  # immutable values only (bool is an int)
    return result


def _unescape(body):
    parts = _ESCAPE.split(body)
    for i in range(0, len(parts), 2):
        if "\\" in parts[i]:
            raise _Unsupported
    for i in range(1, len(parts), 2):
        code = parts[i]
        if code[0] == "u":
            point = int(code[1:], 16)
            if 0xD800 <= point <= 0xDFFF:
                raise _Unsupported
            parts[i] = chr(point)
        else:
            parts[i] = _ESCAPES[code]
    return "".join(parts)


def _inline(rest, line, col, lazy):
    """The value written after ``key:`` or ``-`` on one line, starting at column ``col``."""
    first = rest[0]
    if first == '"' or first == "'":
        match = (_DQ if first == '"' else _SQ).match(rest)
        if match is None or not _TAIL.fullmatch(rest, match.end()):
            raise _Unsupported
        body = match.group(1)
        if first == "'":
            return body.replace("''", "'")
        return _unescape(body) if "\\" in body else body
    if first == "[":
        return _flow_seq(rest, line, col, lazy)
    if first in _NOT_PLAIN_START or (first in "-?:" and (len(rest) == 1 or rest[1] == " ")):
        raise _Unsupported
    cut = rest.find(" #")
    if cut >= 0:
        rest = rest[:cut].rstrip(" ")
    if ": " in rest or rest[-1] == ":":
        raise _Unsupported
    return _plain(rest)


def _flow_seq(rest, line, col, lazy):
    items = MarkedList()
    if lazy is None:
        items.line, items.col, items.marks = line, col, []
    else:
        items.lazy = lazy
    pos = 1
    if rest[1:].lstrip(" ").startswith("]"):
        pos = rest.index("]") + 1
    else:
        while True:
            match = _FLOW_ITEM.match(rest, pos)
            if match is None:
                raise _Unsupported
            dq, sq, plain = match.group(2, 3, 4)
            if plain is not None:
                value = _plain(plain.rstrip(" "))  # (the pattern took the spaces before "," or "]")
            elif sq is not None:
                value = sq.replace("''", "'")
            else:
                value = _unescape(dq) if "\\" in dq else dq
            items.append(value)
            if lazy is None:
                items.marks.append((line, col + match.end(1)))
            pos = match.end()
            if match.group(5) == "]":
                break
    if not _TAIL.fullmatch(rest, pos):
        raise _Unsupported
    return items


# the same, for UTF-8 bytes (which hold no surrogates), checked with a few fast scans
_KEEP_CONTROLS = bytes(b for b in range(256) if not (b < 0x20 and b != 0x0A or b == 0x7F))
_C1_CONTROLS = re.compile(rb"\xc2[\x80-\x9f]")  # U+0080..U+009F, U+0085 (a line break) among them
_REJECT_SEQUENCES = ("\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff")
_REJECT_BYTES = tuple(c.encode() for c in _REJECT_SEQUENCES)


def _rejected(data):
    """Whether UTF-8 ``data`` has a character that ``_REJECT`` matches."""
    if data.translate(None, _KEEP_CONTROLS):
        return True  # an ASCII control character other than "\n"
    if data.isascii():
        return False
    return _C1_CONTROLS.search(data) is not None or any(sequence in data for sequence in _REJECT_BYTES)


def fast_load(text, lazy=False):
    """Read ``text`` if it is in the plain block-style subset; else return None."""
    if _REJECT.search(text):
        return None
    return _fast_or_none(text, lazy)


def _fast_or_none(text, lazy):
    positions = _LazyPositions(text) if lazy else None
    try:
        doc = _fast(text, positions)
    except (_Unsupported, RecursionError):
        return None
    if positions is not None:
        positions.root = weakref.ref(doc)
    return doc


def _fast(text, lazy=None):
    """Build the document; record positions unless ``lazy`` (then nodes point at it instead)."""
    root = MarkedList()  # holds the document while it is read
    stack = []  # open containers, innermost last: (indent, container, is_map)
    top = None
    # a `key:` (or the document itself) waiting for its nested block: (container, key, indent)
    pending = (root, None, -1)
    key_is_str = _key_is_str
    special, maybe_not_str = _SPECIAL_START, _MAYBE_NOT_STR
    eager = lazy is None
    number = 0
    for match in _LINES.finditer(text):
        indent, dash, key, sep, rest = match.groups()
        number += 1
        if rest and rest[-1] == " ":
            rest = rest.rstrip(" ")
        if not key and not dash:
            if not rest or rest[0] == "#":
                continue  # a blank line or a comment
            raise _Unsupported  # a lone scalar, a continuation line, a document marker, a directive, ...
        col = len(indent)
        if pending is not None:
            owner, owner_key, owner_indent = pending
            if col <= owner_indent:
                raise _Unsupported  # an empty value, or an indentless sequence
            if dash:
                container = MarkedList()
                if eager:
                    container.marks = []
            else:
                container = Marked()
                if eager:
                    container.key_marks, container.marks = {}, {}
            if eager:
                container.line, container.col = number, col + 1
            else:
                container.lazy = lazy
            if owner_key is None:
                owner.append(container)
            else:
                owner[owner_key] = container
                if eager:
                    owner.marks[owner_key] = (number, col + 1)
            top = (col, container, not dash)
            stack.append(top)
            pending = None
        else:
            if top[0] != col:
                while top[0] > col:
                    stack.pop()
                    if not stack:
                        raise _Unsupported
                    top = stack[-1]
                if top[0] != col:
                    raise _Unsupported  # a continuation line
            if bool(dash) == top[2]:
                raise _Unsupported  # an item where a key belongs, or the reverse
        if dash:
            seq = top[1]
            col += len(dash)
            if eager:
                mark = (number, col + 1)
                seq.marks.append(mark)
            if not key:
                if rest[0] == "#" or rest[0] == "-" and (len(rest) == 1 or rest[1] == " "):
                    raise _Unsupported  # an empty item or a nested sequence
                seq.append(_inline(rest, number, col + 1, lazy))
                continue
            mapping = Marked()
            if eager:
                mapping.line, mapping.col = mark
                mapping.key_marks, mapping.marks = {key: mark}, {}
            else:
                mapping.lazy = lazy
            seq.append(mapping)
            top = (col, mapping, True)
            stack.append(top)
        else:
            mapping = top[1]
            if key in mapping:
                raise _Unsupported  # a duplicate key: PyYAML reports it
            if eager:
                mapping.key_marks[key] = (number, col + 1)
        canonical = key_is_str.get(key)
        if canonical is None:  # first time: is it a string key (not `yes`, `null`, ...)?
            is_str = _RESOLVER.resolve(yaml.ScalarNode, key, (True, False)) == _STR
            canonical = key_is_str[key] = key if is_str else False
        if canonical is False:
            raise _Unsupported  # a key such as `yes` or `null`: PyYAML reports it
        key = canonical  # one string object per distinct key: less memory, faster lookups
        if not rest:
            pending = (mapping, key, col)
            continue
        at = col + len(key) + len(sep) + 2
        if eager:
            mapping.marks[key] = (number, at)
        first = rest[0]
        if first not in special and ": " not in rest and " #" not in rest and rest[-1] != ":":
            mapping[key] = _plain(rest) if first in maybe_not_str else rest  # a plain scalar
        elif first == '"' and rest[-1] == '"' and rest.count('"') == 2 and "\\" not in rest:
            mapping[key] = rest[1:-1]  # a double-quoted string without escapes
        else:
            mapping[key] = _inline(rest, number, at, lazy)
    if pending is not None or len(root) != 1:
        raise _Unsupported
    return root[0]


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
