"""Schemas of ``/v1``, ``/healthz`` and ``/readyz``."""
import marshmallow as ma

F = ma.fields


class IndexSchema(ma.Schema):
    dataset_version = F.String(required=True, metadata={"description": "SHA-256 of the canonical seed content"})
    built_at = F.String(required=True, metadata={"description": "UTC time the database was built",
                                                 "example": "2026-11-22T20:00:19Z"})
    schema_version = F.String(required=True, metadata={"example": "1"})
    counts = F.Dict(keys=F.String(), values=F.Integer(), required=True,
                    metadata={"example": {"facts": 53, "entities": 26, "sources": 2}})
    links = F.Dict(keys=F.String(), values=F.String(), required=True,
                   metadata={"example": {"facts": "/v1/facts", "search": "/v1/search"}})


class HealthSchema(ma.Schema):
    status = F.String(required=True, metadata={"example": "ok"})


class ReadySchema(HealthSchema):
    dataset_version = F.String(required=True)
    built_at = F.String(required=True)
