"""The fact vocabulary, read from ``schema/facts.schema.json``, its only written form.

Fact types are the ``enum`` of a fact's ``type``; a type's own fields are the properties of
its ``$defs`` entry that are not common to every fact, in their written order; a field that
names entities carries ``x-role`` (the role the entity plays); a type's collection in the API
is its ``x-collection`` (``path``, ``name``, ``plural``, ``description``, and ``example``: the id
the spec shows for an item). Kinds, qualifiers, statuses and precisions are the ``enum`` of their
field. Adding a type, a field, a role or a kind to the JSON Schema adds it everywhere.

What the API and the build need per type beyond the fields is written there too:

* ``x-filter`` on a field: the typed list's query parameter for it (``param``, default the
  field's ``x-role``; ``description``; ``example``, optional). A field that names entities
  without one still gets a filter, named after its role; a field with an ``enum`` (``kind``)
  gets one only when it says so. A list field's filter is repeatable and matches all values.
* ``x-time-kind`` on a type: its facts' default time kind (``state``: a state of affairs, as
  troop deployments; default ``act``); ``x-state-kinds`` on its ``kind`` field: the kinds whose
  facts are states by default (a statement of kind ``stance``).
* ``x-conflict`` on a type: what makes two of its facts a conflict (:data:`CONFLICTS`,
  kb/conflicts.py): ``same`` (the fields they share), ``value`` (the field that must agree) and
  ``qualifier`` (optional: the field saying ``at_least``/``up_to``/``about``/``exact``).

The other vocabularies are read here too: relation types, attribution relations and time kinds
(facts schema), entity types (entities schema). The schema folder is ``KB_SCHEMA_DIR`` when that
environment variable is set (read at import: a scratch schema runs in a process of its own).
"""
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

# schema/ of the checkout this package sits in; an installed copy (pip install .) has it under
# the environment's share/ folder (pyproject.toml, data-files)
def _schema_dir():
    if os.environ.get("KB_SCHEMA_DIR"):
        return Path(os.environ["KB_SCHEMA_DIR"]).resolve()
    here = Path(__file__).resolve().parent.parent / "schema"
    return next((folder for folder in (here, Path(sys.prefix) / "share" / "syria-kb" / "schema")
                 if (folder / "facts.schema.json").is_file()), here)


SCHEMA_DIR = _schema_dir()
FACTS_SCHEMA = SCHEMA_DIR / "facts.schema.json"
ENTITIES_SCHEMA = SCHEMA_DIR / "entities.schema.json"
DEFAULT_TIME_KIND = "act"


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
class Filter:
    """A typed list's query parameter on one of the type's fields (its ``x-filter``)."""

    param: str  # participant
    field: str  # participants
    role: str | None  # the role it matches (None: a choice among the field's enum, as kind)
    description: str  # Only meetings with all of these participants
    example: str | None
    many: bool  # repeatable (a list of entities, or a choice)


@dataclass(frozen=True)
class FactType:
    name: str  # meeting
    path: str  # meetings (the collection's URL segment, /v1/meetings)
    schema_name: str  # Meeting
    plural: str  # Meetings
    description: str
    fields: tuple  # the type's own Fields, in their written order
    example: str  # the id of an example fact of the type (the spec's example of an item's id)
    time_kind: str  # the default time kind of its facts (x-time-kind): act or state
    state_kinds: tuple  # the kinds whose facts are states by default (x-state-kinds of its kind field)

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

    @property
    def filters(self):
        """The typed list's own filters, in field order (see the module's docstring)."""
        found = []
        for field in self.fields:
            spec = field.spec.get("x-filter")
            if spec is None and not field.role:
                continue
            spec = spec or {}
            label = self.path.replace("-", " ")
            many = field.many or bool(field.enum)
            default = (f"Only {label} with all of these {field.role}s" if many else
                       f"Only {label} with this {field.role}") if field.role else f"Only {label} of these {field.name}s"
            found.append(Filter(spec.get("param") or field.role or field.name, field.name, field.role,
                                spec.get("description", default), spec.get("example"), many))
        return found

    def default_time_kind(self, fact):
        """The time kind of a seed ``fact`` of this type that gives none (not predicted)."""
        return "state" if fact.get("kind") in self.state_kinds else self.time_kind

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
        kind = spec["properties"].get("kind", {})
        types[name] = FactType(name, collection["path"], collection["name"], collection["plural"],
                               collection["description"], fields, collection["example"],
                               spec.get("x-time-kind", DEFAULT_TIME_KIND), tuple(kind.get("x-state-kinds", ())))
    statuses = list(common["status"]["enum"])
    precisions = [value for value in common["date_precision"]["enum"] if value is not None]
    return types, statuses, precisions, defs


FACT_TYPES, STATUSES, PRECISIONS, _DEFS = _load()
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
# the typed tables (one per fact type: kb/tables.py writes them, the API reads them)
TYPED_TABLES = [ftype.table for ftype in FACT_TYPES.values()]
# the provenance vocabulary (docs/methodology.md, sections 2, 3 and 6)
TIME_KINDS = list(_DEFS["common"]["time_kind"]["enum"])
RELATION_TYPES = list(_DEFS["relation"]["properties"]["type"]["enum"])
ATTRIBUTION_RELATIONS = list(_DEFS["attribution_link"]["properties"]["relation"]["enum"])
# type -> its ``x-conflict`` (kb/conflicts.py): the fields two facts of the type must share
# (``same``, compared folded), the field whose values must agree (``value``) and the field that
# bounds it (``qualifier``: at_least, up_to, else the value itself), for the types that have one
CONFLICTS = {name: dict(_DEFS[name]["x-conflict"]) for name in FACT_TYPES if "x-conflict" in _DEFS[name]}
ENTITY_TYPES = list(json.loads(ENTITIES_SCHEMA.read_text(encoding="utf-8"))
                    ["properties"]["entities"]["items"]["properties"]["type"]["enum"])


def kinds(type_name):
    """The allowed values of a type's ``kind`` field (event kinds, statement kinds)."""
    return list(FACT_TYPES[type_name].field("kind").enum)


def by_path(path):
    """The FactType whose collection is ``/v1/<path>``."""
    return next(ftype for ftype in FACT_TYPES.values() if ftype.path == path)
