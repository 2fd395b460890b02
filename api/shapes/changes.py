"""The shapes of the change feed (``/v1/changes``, :mod:`api.resources.changes`) and of a fact's
history (``/v1/facts/{id}/history``, routed in :mod:`api.resources.facts`): their schemas, and
the rows turned into them (a version's ``diff``, value by value at the served paths)."""
import json
import re

import marshmallow as ma

from factmodel.diffs import CHANGE_KINDS, CHANGE_OPS, leaf_changes, whitespace_only

F = ma.fields
# factmodel.diffs's, as kb diff writes them; the spec lists the ops alphabetically
KINDS, OPS = list(CHANGE_KINDS), sorted(CHANGE_OPS)
CHANGE_COLUMNS = ["release", "kind", "id", "op", "fields", "new_id"]
RELEASE_EXAMPLE = "5c78aef9-e135d08014"


def _op():
    return F.String(required=True, metadata={"enum": OPS, "example": "modified", "description": (
        "`added`, `modified`, `removed` or `renamed` (the new id lists the old one among its `former_ids`)")})


def _fields():
    return F.List(F.String(), required=True, metadata={
        "example": ["citations", "summary"],
        "description": "The top-level fields that changed (`modified`, `renamed`); `[]` otherwise"})


class ChangeSchema(ma.Schema):
    release = F.String(required=True, metadata={"example": RELEASE_EXAMPLE, "description": "The release that did it"})
    kind = F.String(required=True, metadata={"enum": KINDS, "example": "fact"})
    id = F.String(required=True, metadata={"example": "putin-assad-meeting-2024-07-24",
                                           "description": "The id before the change (for `added`: the new id)"})
    op = _op()
    fields = _fields()
    new_id = F.String(required=True, allow_none=True, metadata={"description": "For `renamed`: the new id"})
    links = F.Dict(keys=F.String(), values=F.String(), required=True, metadata={
        "example": {"release": f"/v1/releases/{RELEASE_EXAMPLE}",
                    "history": "/v1/facts/putin-assad-meeting-2024-07-24/history"}})


def change(row):
    item = {"release": row["release"], "kind": row["kind"], "id": row["id"], "op": row["op"],
            "fields": json.loads(row["fields"]), "new_id": row["new_id"],
            "links": {"release": f"/v1/releases/{row['release']}"}}
    if row["kind"] == "fact":
        item["links"]["history"] = f"/v1/facts/{row['new_id'] or row['id']}/history"
    return item


# ---- a fact's history (the view is in api/resources/facts.py) -----------------------------------
class FieldChangeSchema(ma.Schema):
    path = F.String(required=True, metadata={
        "example": "citations[0].quote",
        "description": "Where the value is in the fact as `GET /v1/facts/{fact_id}` serves it: a type's own fields "
                       "under `attributes`, the time bounds under `time` (`time.kind`, `time.not_before`…), "
                       "list items by index; `former` and `former_ids`, which are not served, by the seeds' name"})
    before = F.Raw(required=True, allow_none=True, metadata={
        "description": "The value before (null: absent)", "example": "a 49-year lease of the Tartus port."})
    after = F.Raw(required=True, allow_none=True, metadata={
        "description": "The value after (null: absent)", "example": "a\u00a049-year lease of the Tartus port."})
    whitespace_only = F.Boolean(required=True, metadata={
        "description": "Two strings that differ only in whitespace: a space of another kind (a no-break space), a "
                       "line break, an invisible character (zero-width space, soft hyphen)"})


class FactVersionSchema(ma.Schema):
    release = F.String(required=True, metadata={"example": RELEASE_EXAMPLE})
    built_at = F.String(required=True, allow_none=True, metadata={"description": "The release's time (ISO 8601, UTC)"})
    op = _op()
    id = F.String(required=True, metadata={"description": "The fact's id in this version (for `removed`: the id "
                                                          "it had)"})
    former_id = F.String(required=True, allow_none=True, metadata={"description": "For `renamed`: the id before"})
    fields = _fields()
    content = F.Dict(keys=F.String(), required=True, allow_none=True, metadata={
        "description": "The fact as the seeds said it in this release (as written, not re-validated); "
                       "null for `removed`, and for the one release of a dataset built outside git"})
    diff = F.List(F.Nested(FieldChangeSchema), required=True, allow_none=True, metadata={
        "description": "What this version changed, value by value down to the leaves, against the version before "
                       "it (`[]` for `added` and `removed`; null when the version before is not known: the "
                       "baseline of a shallow clone, a dataset built outside git) (since 1.7.0)"})
    whitespace_only = F.Boolean(required=True, metadata={
        "description": "Every change of `diff` is whitespace only: the text reads the same (since 1.7.0)"})


class FactHistorySchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "putin-assad-meeting-2024-07-24"})
    current = F.Boolean(required=True, metadata={"description": "Whether the release served has the fact "
                                                                "(false: removed)"})
    versions = F.List(F.Nested(FactVersionSchema), required=True, metadata={
        "description": "Every change to the fact, oldest first, under its former ids too; empty when no "
                       "release recorded one (the baseline of a shallow clone)"})


# a seed field -> where GET /v1/facts/{id} serves it (the time bounds under ``time``); the common
# fields keep their names, every other field (a type's own) is under ``attributes``
TIME_FIELDS = {"time_kind": "time.kind", **{name: f"time.{name}" for name in (
    "date_inferred", "not_before", "not_after", "valid_from", "valid_until", "expected_not_before",
    "expected_not_after")}}
SAME_PATH = frozenset(["id", "type", "summary", "date", "date_precision", "status", "note", "citations", "relations",
                       "former", "former_ids"])


def served_path(path):
    """The path of a seed field's value (``participants[1]``) in the served fact (``attributes.participants[1]``)."""
    field = re.match(r"[^.\[]*", path).group()
    rest = path[len(field):]
    if field in TIME_FIELDS:
        return TIME_FIELDS[field] + rest
    return path if field in SAME_PATH else f"attributes.{path}"


def _as_served(content):
    """The seeds' content with each citation's attribution as the API serves it (``[]`` when absent,
    every link with its ``relation``, ``entity`` and ``fact``), so a default is no change."""
    citations = [dict(c, attribution=[{"relation": a.get("relation"), "entity": a.get("entity"),
                                       "fact": a.get("fact")} for a in c.get("attribution") or []])
                 if isinstance(c, dict) else c for c in content.get("citations") or []]
    return dict(content, citations=citations) if "citations" in content else content


def diff(before, after):
    """The changes from the content ``before`` to ``after``, value by value, at the served paths."""
    before, after = _as_served(before), _as_served(after)
    return [{"path": served_path(path), "before": old, "after": new, "whitespace_only": whitespace_only(old, new)}
            for path, old, new in leaf_changes(before, after)]


def versions(rows):
    """A fact's history rows (oldest first) as versions, each with its ``diff`` against the one before."""
    out, before = [], None
    for row in rows:
        content = json.loads(row["content"]) if row["content"] else None
        if row["op"] in ("added", "removed"):
            changes = []
        else:
            changes = diff(before, content) if before is not None and content is not None else None
        out.append({"release": row["release"], "built_at": row["built_at"], "op": row["op"],
                    "id": row["new_id"] or row["id"], "former_id": row["id"] if row["op"] == "renamed" else None,
                    "fields": json.loads(row["fields"]), "content": content, "diff": changes,
                    "whitespace_only": bool(changes) and all(c["whitespace_only"] for c in changes)})
        before = content
    return out
