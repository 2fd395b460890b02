"""The seed files' JSON Schemas (``schema/*.schema.json``), checked twice over for speed.

jsonschema-rs (Rust) says whether a document is valid; only when it is not does jsonschema
(Python) walk it for the detailed errors, item by item for list files. Errors come back as
:class:`~kb.problems.Issue` (where in the document, and a message).
"""
import json

import jsonschema_rs
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from factmodel.vocabulary import SCHEMA_DIR

from . import schema_hints
from .problems import Issue

# schema name -> (the key of its list, pointer to the schema of one item): a list file is
# checked item by item when it is not valid as a whole
LIST_ITEMS = {"facts": ("facts", "#/$defs/fact"), "entities": ("entities", "#/properties/entities/items")}
UNKNOWN_FIELD_VALIDATORS = ("additionalProperties", "unevaluatedProperties")


def label(where):
    """``facts[3].citations[0]`` for ``("facts", 3, "citations", 0)``; ``document`` for ``()``."""
    out = ""
    for step in where:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "document"


def _is_valid(validator, doc):
    try:
        return validator.is_valid(doc)
    except Exception:  # a value jsonschema-rs cannot take (a huge int, bytes, ...): ask jsonschema
        return False


class SeedSchema:
    """The schema of one kind of seed file (``source``, ``entities``, ``facts``)."""

    def __init__(self, name, schema, registry, rs_registry):
        self.name = name
        self.fast = jsonschema_rs.Draft202012Validator(schema, registry=rs_registry)
        self.slow = Draft202012Validator(schema, registry=registry)
        self.list_key = None
        if name in LIST_ITEMS:
            self.list_key, pointer = LIST_ITEMS[name]
            item = {"$ref": schema["$id"] + pointer}
            self.fast_item = jsonschema_rs.Draft202012Validator(item, registry=rs_registry)
            self.slow_item = Draft202012Validator(item, registry=registry)

    def errors(self, doc):
        """Yield ``(error, absolute path as a tuple)`` for every schema error in ``doc``."""
        if _is_valid(self.fast, doc):
            return
        key = self.list_key
        if key is not None and isinstance(doc, dict) and list(doc) == [key] and isinstance(doc[key], list):
            # the file's own shape is right, so every error is inside an item
            for index, item in enumerate(doc[key]):
                if not _is_valid(self.fast_item, item):
                    for error in self.slow_item.iter_errors(item):
                        yield error, (key, index, *error.absolute_path)
            return
        for error in self.slow.iter_errors(doc):
            yield error, tuple(error.absolute_path)

    def check(self, doc):
        """Return ``(issues, bad items, usable)``: the schema errors of ``doc`` as issues, the
        indexes of the list items at fault (a list file skips just those), and whether the
        rest of the document can be used."""
        issues, bad, usable = [], set(), isinstance(doc, dict)
        for error, where in self.errors(doc):
            issues.extend(_issues(doc, error, where))
            if self.list_key is not None and len(where) >= 2 and isinstance(where[1], int):
                bad.add(where[1])
            else:
                usable = False
        return issues, bad, usable


def _issues(doc, error, where):
    name = label(where)
    node = doc
    for step in where:
        node = node[step]
    # a fact's problems name the fact by its id, and fields relative to it (hints: kb.schema_hints)
    if len(where) >= 2 and where[0] in ("facts", "entities") and isinstance(where[1], int):
        item = doc[where[0]][where[1]]
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            kind = where[0][:-1].replace("entitie", "entity")
            name = f"{kind} {item['id']!r}: " + (label(where[2:]) if where[2:] else kind)
    if error.validator in UNKNOWN_FIELD_VALIDATORS and isinstance(node, dict):
        allowed = set(error.schema.get("properties", {}))
        return [Issue((*where, key), f"{name}: unknown field {key!r}{schema_hints.unknown_field(key, allowed)}"
                                     f" (allowed: {', '.join(sorted(allowed))})", True)
                for key in node if key not in allowed]
    if error.validator == "required":
        return [Issue(where, f"{name}: missing required field {error.message.split(' is a required')[0]}")]
    hint = ""
    if error.validator == "type" and isinstance(node, str) and where[:1] == ("facts",) and len(where) == 3:
        hint = schema_hints.qualifier_hint(doc["facts"][where[1]], where[2], node)
    return [Issue(where, f"{name}: {schema_hints.schema_message(error, node)}{hint}")]


def load_schemas():
    """``{name: SeedSchema}`` for every ``schema/*.schema.json``."""
    registry = Registry()
    schemas = {}
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
        schemas[path.name.removesuffix(".schema.json")] = schema
    rs_registry = jsonschema_rs.Registry([(schema["$id"], schema) for schema in schemas.values()])
    return {name: SeedSchema(name, schema, registry, rs_registry) for name, schema in schemas.items()}
