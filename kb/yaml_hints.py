"""Hints for YAML syntax errors in a seed file: how to quote the value that broke the parser,
which list item it is in, and the ids the file declares. Called by :mod:`kb.seeds`; nothing here
runs unless something is wrong.
"""
import re

_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?[A-Za-z_][\w-]*:\s+)(\S.*?)\s*$")
_INDICATORS = "\"'[{*&!%@`|>"


def yaml_hint(text, line):
    """How to fix a YAML syntax error reported at ``line`` (1-based) of ``text``: when that
    line or one of the two before it is ``key: value`` with a value YAML cannot take plain
    (it begins with a quotation mark or another indicator, or holds ``: ``), the line
    rewritten with the whole value in single quotes (inner single quotes doubled)."""
    lines = text.splitlines()
    for number in range(min(line, len(lines)), max(0, line - 3), -1):
        match = _KEY_VALUE.match(lines[number - 1])
        if not match:
            continue
        head, value = match.groups()
        if value[0] in _INDICATORS or ": " in value or value.endswith(":"):
            if value[0] in "\"'" and value.endswith(value[0]) and value.count(value[0]) == 2:
                continue  # already a well-quoted value
            fixed = head + "'" + value.replace("'", "''") + "'"
            why = ("begins with a quotation mark, so YAML reads only up to the closing one"
                   if value[0] in "\"'" else
                   f"begins with {value[0]!r}, which YAML reads as syntax" if value[0] in _INDICATORS else
                   "holds ': ', which YAML reads as a new key")
            return (f"; line {number}: the value {why}. Quote the whole value with single quotes, doubling"
                    f" any single quote inside it:\n    {fixed.strip()}")
    return ""


def enclosing_item(text, line):
    """``fact 'x': `` (or ``entity 'x': ``) for the list item around ``line`` (1-based) of a
    seed file that did not parse, found by its ``- id:`` line; ``""`` when there is none."""
    kind = "entity" if re.search(r"(?m)^entities:", text) else "fact"
    for row in reversed(text.splitlines()[:line]):
        match = re.match(r"^\s*-\s+id:\s*['\"]?([^'\"#\s]+)", row)
        if match:
            return f"{kind} {match.group(1)!r}: "
        if re.match(r"^(facts|entities):", row):
            break
    return ""


_DECLARED_ID = re.compile(r"^(\s*-\s+id:\s*)(['\"]?)([a-z0-9]+(?:-[a-z0-9]+)*)\2\s*(?:#.*)?$")


def declared_ids(text):
    """``[(id, line, column)]`` (1-based) of every list item's ``- id: <slug>`` line of a seed
    file that did not parse: the ids it declares, recovered from its text so that what refers
    to them is not reported too (:mod:`kb.seeds`). A line that is not plainly that is skipped."""
    found = []
    for number, row in enumerate(text.splitlines(), 1):
        match = _DECLARED_ID.match(row)
        if match:
            found.append((match.group(3), number, len(match.group(1)) + 1))
    return found
