"""The fact vocabulary, read from ``schema/facts.schema.json``, its only written form.

Fact types are the ``enum`` of a fact's ``type``; a type's own fields are the properties of
its ``$defs`` entry that are not common to every fact, in their written order; a field that
names entities carries ``x-role`` (the role the entity plays); a type's collection in the API
is its ``x-collection``. Kinds, qualifiers, statuses and precisions are the ``enum`` of their
field. Adding a type, a field, a role or a kind to the JSON Schema adds it everywhere.
"""
import json
import sys
from dataclasses import dataclass
from pathlib import Path

# schema/ of the checkout this package sits in; an installed copy (pip install .) has it under
# the environment's share/ folder (pyproject.toml, data-files)
SCHEMA_DIR = next((folder for folder in (Path(__file__).resolve().parent.parent / "schema",
                                         Path(sys.prefix) / "share" / "syria-kb" / "schema")
                   if (folder / "facts.schema.json").is_file()), Path(__file__).resolve().parent.parent / "schema")
FACTS_SCHEMA = SCHEMA_DIR / "facts.schema.json"


@dataclass(frozen=True)
class Field:
    name: str
    spec: dict  # the field's JSON Schema, as written
    role: str | None  # the role of the entities it names, None when it names none
    required: bool

    @property
    def enum(self):
        """The field's closed list of values, or None."""
        return self.spec.get("enum")

    @property
    def many(self):
        """True when the field holds a list of entity ids."""
        return "allOf" in self.spec or self.spec.get("$ref", "").endswith("/refs")

    @property
    def nullable(self):
        ref = self.spec.get("$ref", "")
        return ref.endswith("/nullable_ref") or any(alt.get("type") == "null" for alt in self.spec.get("anyOf", ()))


@dataclass(frozen=True)
class FactType:
    name: str  # meeting
    path: str  # meetings (the collection's URL segment, /v1/meetings)
    schema_name: str  # Meeting
    plural: str  # Meetings
    description: str
    fields: tuple  # the type's own Fields, in their written order

    @property
    def table(self):
        """The SQL table of the type's rows."""
        return self.path.replace("-", "_")

    @property
    def field_names(self):
        return [field.name for field in self.fields]

    @property
    def role_fields(self):
        """``(field, role)`` for every field that names entities."""
        return [(field.name, field.role) for field in self.fields if field.role]

    def field(self, name):
        return next(field for field in self.fields if field.name == name)

    def value_of(self, fact, name):
        """The field's value in a seed ``fact``; an optional field left out is ``[]`` for a
        list of entities and None otherwise."""
        if name in fact:
            return fact[name]
        return [] if self.field(name).many else None


def _load(path=FACTS_SCHEMA):
    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    defs = schema["$defs"]
    common = defs["common"]
    types = {}
    for name in defs["fact"]["properties"]["type"]["enum"]:
        spec = defs[name]
        collection = spec["x-collection"]
        own = [(key, value) for key, value in spec["properties"].items() if key not in common and key != "type"]
        fields = tuple(Field(key, value, value.get("x-role"), key in spec.get("required", ())) for key, value in own)
        types[name] = FactType(name, collection["path"], collection["name"], collection["plural"],
                               collection["description"], fields)
    statuses = list(common["status"]["enum"])
    precisions = [value for value in common["date_precision"]["enum"] if value is not None]
    return types, statuses, precisions


FACT_TYPES, STATUSES, PRECISIONS = _load()
TYPES = list(FACT_TYPES)
# every role, in the order of first appearance (type by type, field by field)
ROLES = list(dict.fromkeys(role for ftype in FACT_TYPES.values() for _, role in ftype.role_fields))
# the part of an entity named in a citation's attribution chain (according to, reported by, released
# by, said to, citing): not a role of the fact's own fields, but of an entity's timeline
ATTRIBUTED = "attributed"
TIMELINE_ROLES = [*ROLES, ATTRIBUTED]
# type -> [(field, role)] of the fields that name entities; type -> its own fields, in order
ROLE_FIELDS = {name: ftype.role_fields for name, ftype in FACT_TYPES.items()}
TYPE_FIELDS = {name: ftype.field_names for name, ftype in FACT_TYPES.items()}


def kinds(type_name):
    """The allowed values of a type's ``kind`` field (event kinds, statement kinds)."""
    return list(FACT_TYPES[type_name].field("kind").enum)


def by_path(path):
    """The FactType whose collection is ``/v1/<path>``."""
    return next(ftype for ftype in FACT_TYPES.values() if ftype.path == path)
