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


class RejectedFileSchema(ma.Schema):
    file = F.String(required=True, metadata={"description": "Name of the served path (KB_DB)", "example": "kb.sqlite"})
    inode = F.Integer(required=True, allow_none=True, metadata={"description": "Its inode (null: no file)"})
    size = F.Integer(required=True, allow_none=True, metadata={"description": "Its size in bytes"})
    modified = F.String(required=True, allow_none=True, metadata={"description": "Its mtime (UTC)",
                                                                  "example": "2026-11-22T20:00:19Z"})
    reason = F.String(required=True, metadata={
        "description": "Why it was refused: missing, not_sqlite, size_mismatch, corrupt, meta, schema_version, "
                       "tables, search_index, changed", "example": "size_mismatch"})
    detail = F.String(required=True, metadata={
        "example": "the header says 90 pages of 4096 bytes (368640 bytes) but the file has 200000 bytes"})
    rejected_at = F.String(required=True, metadata={"example": "2026-11-22T20:05:00Z"})


class ReadySchema(HealthSchema):
    dataset_version = F.String(required=True)
    built_at = F.String(required=True)
    schema_version = F.String(metadata={"example": "1"})
    rejected = F.Nested(RejectedFileSchema, allow_none=True, metadata={
        "description": "The last file found at the served path that failed the dataset check since the served "
                       "dataset was accepted (null: none). The last good dataset goes on being served."})
