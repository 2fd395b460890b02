"""The shape of a conflict (``/v1/conflicts``): the two competing facts."""
import marshmallow as ma

from .facts import FactSchema

F = ma.fields


class ConflictSchema(ma.Schema):
    facts = F.List(F.Nested(FactSchema), required=True, metadata={
        "description": "The two competing facts, in the common shape: the one whose relation is outgoing first"})
