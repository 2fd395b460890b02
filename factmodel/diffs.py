"""Field-level differences between two versions of a row, down to the leaves, shared by ``kb diff``
(kb/diff.py) and a fact's history (``/v1/facts/{id}/history``, api/resources/changes.py)."""
import re

# what a change is to, in the order changes are reported in (kb diff, the releases' change lists,
# /v1/changes); what happened to it (a rename: the new id lists the old one among its former_ids)
CHANGE_KINDS = ("fact", "entity", "source")
CHANGE_OPS = ("added", "removed", "renamed", "modified")
PLURAL = {"fact": "facts", "entity": "entities", "source": "sources"}

# characters that show as nothing or as a space: a change among them alone is whitespace only
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), " ")
_SPACES = re.compile(r"\s+")


def leaf_changes(old, new, path=""):
    """``[(path, old, new)]`` down to the leaves: ``citations[1].quote``, ``attribution[0].entity``."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new)):
            out += leaf_changes(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return out
    if isinstance(old, list) and isinstance(new, list) and (
            any(isinstance(v, (dict, list)) for v in old + new)):
        out = []
        for i in range(max(len(old), len(new))):
            out += leaf_changes(old[i] if i < len(old) else None, new[i] if i < len(new) else None, f"{path}[{i}]")
        return out
    return [] if old == new else [(path, old, new)]


def _collapsed(text):
    return _SPACES.sub(" ", text.translate(_INVISIBLE)).strip()


def whitespace_only(old, new):
    """True when two different strings differ only in whitespace: spaces of any kind (a space turned
    into a no-break space, U+00A0), line breaks, and invisible characters (zero-width space, soft hyphen)."""
    return isinstance(old, str) and isinstance(new, str) and old != new and _collapsed(old) == _collapsed(new)
