"""Schemas of ``/v1``, ``/healthz`` and ``/readyz``."""
import marshmallow as ma

F = ma.fields


class ReleaseRefSchema(ma.Schema):
    id = F.String(required=True, metadata={"description": "The release served (the newest; `GET /v1/releases/{id}`)",
                                           "example": "5963eaa9-0ff9a7ff6e"})
    parent = F.String(required=True, allow_none=True, metadata={
        "description": "The release before it, null for the first", "example": "a97e27c6-cd9fb793ef"})
    previous = F.String(required=True, allow_none=True, metadata={
        "description": "The previous release, skipping releases without content changes: `/v1/changes?since=` it "
                       "lists what the served content last changed; null when there is none",
        "example": "a97e27c6-cd9fb793ef"})
    empty = F.Boolean(required=True, metadata={
        "description": "The release served changed no content (its content is its parent's)"})


class IndexSchema(ma.Schema):
    dataset_version = F.String(required=True, metadata={
        "description": "SHA-256 of the canonical seed content, as `X-Dataset-Version` sends it; `since=` and "
                       "`changed_since=` take it as well as a release id",
        "example": "896b2cf8129283c0a3c2fe4bdfd3b4d8b5c0d6e3fae1a8e0c3f1a3c1b2d4e5f6"})
    built_at = F.String(required=True, metadata={"description": "UTC time the database was built",
                                                 "example": "2026-11-22T20:00:19Z"})
    schema_version = F.String(required=True, metadata={"example": "4"})
    release = F.Nested(ReleaseRefSchema, required=True, allow_none=True, metadata={
        "description": "The release served (null: a database without releases) (since 1.7.0)"})
    counts = F.Dict(keys=F.String(), values=F.Integer(), required=True, metadata={
        "description": "Items of each collection, and of the dataset: `entities` counts every entity, the "
                       "`unnamed` ones (explicitly unnamed speakers) included; `listed` says how many "
                       "`/v1/entities` lists",
        "example": {"facts": 55, "entities": 29, "sources": 2, "meetings": 2}})
    listed = F.Dict(keys=F.String(), values=F.Integer(), required=True, metadata={
        "description": "How many items a collection lists without filters, where that differs from `counts`: "
                       "`/v1/entities` lists `unnamed` entities only with `type=unnamed` (`links.unnamed_entities`)"
                       " (since 1.7.0)",
        "example": {"entities": 28}})
    links = F.Dict(keys=F.String(), values=F.String(), required=True, metadata={
        "description": "Every collection and operation family (a path with `{…}` takes an id), the release "
                       "served and the changes since the previous release",
        "example": {"facts": "/v1/facts", "fact_history": "/v1/facts/{fact_id}/history", "search": "/v1/search",
                    "changes": "/v1/changes", "release": "/v1/releases/5963eaa9-0ff9a7ff6e",
                    "changes_since_previous": "/v1/changes?since=a97e27c6-cd9fb793ef"}})


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
