"""What changed between two states of the knowledge base: ``kb diff BASE [HEAD]``.

A state is the *content* of the seeds (facts, entities, sources as their YAML says them), read
leniently by :mod:`kb.history`: an old commit is never re-validated against today's rules, so
history never breaks when the rules grow. :func:`changes` compares two states (ids, then field
by field); a fact or entity whose new id lists the old one among its ``former_ids`` is
*renamed*, not removed and added. :func:`markdown` renders the result for a reviewer.
"""
import json
from typing import NamedTuple

from factmodel.diffs import CHANGE_KINDS as KINDS  # the order changes are reported in
from factmodel.diffs import CHANGE_OPS as OPS
from factmodel.diffs import PLURAL, leaf_changes


class Change(NamedTuple):
    kind: str  # fact | entity | source
    id: str  # the id in BASE (for added: the new id)
    op: str  # added | removed | renamed | modified
    fields: tuple  # names of the top-level fields that changed (modified, renamed)
    new_id: str | None  # renamed: the id in HEAD


def _changed_fields(old, new, skip=("id",)):
    return tuple(sorted(k for k in set(old) | set(new) if k not in skip and old.get(k) != new.get(k)))


def changes(base, head):
    """Every :class:`Change` from ``base`` to ``head`` (each ``{kind: {id: {field: value}}}``;
    values may be fingerprints, except ``former_ids``, which must be the list itself), in a
    stable order: kind (fact, entity, source), then id."""
    out = []
    for kind in KINDS:
        old, new = base.get(kind, {}), head.get(kind, {})
        removed = set(old) - set(new)
        added = set(new) - set(old)
        renamed = {}  # old id -> new id
        for nid in sorted(added):
            for former in new[nid].get("former_ids") or []:
                if former in removed and former not in renamed:
                    renamed[former] = nid
        for oid in sorted(set(old) | added):
            if oid in renamed:
                nid = renamed[oid]
                out.append(Change(kind, oid, "renamed", _changed_fields(old[oid], new[nid], ("id", "former_ids")), nid))
            elif oid in removed:
                out.append(Change(kind, oid, "removed", (), None))
            elif oid in added:
                if oid not in renamed.values():
                    out.append(Change(kind, oid, "added", (), None))
            else:
                fields = _changed_fields(old[oid], new[oid])
                if fields:
                    out.append(Change(kind, oid, "modified", fields, None))
    out.sort(key=lambda c: (KINDS.index(c.kind), c.id))
    return out


def counts(change_list):
    """``{op: number}`` of a list of changes (every op present)."""
    result = dict.fromkeys(OPS, 0)
    for change in change_list:
        result[change.op] += 1
    return result


# ---- Markdown ---------------------------------------------------------------------------------
def _show(value, limit=300):
    if value is None:
        return "*(absent)*"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else json.dumps(
        value, ensure_ascii=False)
    if len(text) > limit:
        text = text[:limit] + "…"
    return "`" + text.replace("`", "'") + "`"


def _label(kind, row):
    title = row.get("summary") or row.get("name") or row.get("title") or ""
    kind_type = row.get("type")
    return (f" ({kind_type})" if kind_type and kind != "source" else "") + (f": {title}" if title else "")


def markdown(base, head, base_name, head_name):
    """The Markdown summary of the change from ``base`` to ``head`` (full contents)."""
    found = changes(base, head)
    lines = [f"# Knowledge base changes: {base_name} → {head_name}", ""]
    if not found:
        return "\n".join(lines + ["No change to facts, entities or sources.", ""])
    for kind in KINDS:
        tally = counts(c for c in found if c.kind == kind)
        said = ", ".join(f"{n} {op}" for op, n in tally.items() if n) or "no change"
        lines.append(f"- **{PLURAL[kind]}**: {said}")
    for kind in KINDS:
        mine = [c for c in found if c.kind == kind]
        if not mine:
            continue
        old, new = base.get(kind, {}), head.get(kind, {})
        lines += ["", f"## {PLURAL[kind].capitalize()}"]
        for op in OPS:
            group = [c for c in mine if c.op == op]
            if not group:
                continue
            lines += ["", f"### {op.capitalize()} ({len(group)})", ""]
            for c in group:
                if op == "added":
                    lines.append(f"- `{c.id}`{_label(kind, new[c.id])}")
                elif op == "removed":
                    lines.append(f"- `{c.id}`{_label(kind, old[c.id])}")
                else:
                    target = c.new_id or c.id
                    head_line = f"- `{c.id}` → `{c.new_id}`" if op == "renamed" else f"- `{c.id}`"
                    lines.append(head_line + _label(kind, new[target]))
                    skip = ("id", "former_ids") if op == "renamed" else ("id",)
                    for field in c.fields:
                        if field in skip:
                            continue
                        for path, was, now in leaf_changes(old[c.id].get(field), new[target].get(field), field):
                            lines.append(f"  - `{path}`: {_show(was)} → {_show(now)}")
    return "\n".join(lines + [""])
