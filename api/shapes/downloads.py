"""The shapes of ``/v1/downloads`` (:mod:`api.resources.downloads`) and of a release's files
(``/v1/releases``): one file of a release, as its manifest lists it."""
import marshmallow as ma

from ..dataset import downloads
from .vocab import open_choice

F = ma.fields
SHA = "0e9f4af7e19eeca3a6be181030acd98dab4671d7fad0edca93fedf0c0d8f0132"


class ArtifactSchema(ma.Schema):
    """One file of a release, as its manifest lists it (kb/artifacts.py)."""

    media_type = F.String(required=True, metadata={"example": "application/gzip"})
    size = F.Integer(required=True, metadata={"description": "Bytes", "example": 10331})
    sha256 = F.String(required=True, metadata={
        "description": "SHA-256 of the file's bytes, hex (the API sends it as the file's ETag)", "example": SHA})
    url = F.String(required=True, metadata={"example": "/v1/downloads/facts.ndjson.gz",
                                            "description": "The file's path on this server"})
    href = F.String(required=True, metadata={
        "example": "https://kb.example.org/v1/downloads/facts.ndjson.gz",
        "description": "The file's absolute URL at this server's public address (`KB_PUBLIC_URL`, else the address "
                       "the request came to) (since 1.7.0)"})


class DownloadSchema(ArtifactSchema):
    # an open vocabulary (api/shapes/vocab.py): a release may offer more files (1.11.0 added the Parquet ones)
    name = open_choice(list(downloads.NAMES), "The file's name, as `GET /v1/downloads/{name}` takes it",
                       required=True)
    release = F.String(required=True, allow_none=True, metadata={
        "description": "The release the file is (the newest, the one served); null for a database without releases",
        "example": "ce5e8e57-89cacdf2ac"})


class DownloadListSchema(ma.Schema):
    dataset_version = F.String(required=True, metadata={"example": "9eef53813c6aa8323fd650306880dec5"})
    data = F.List(F.Nested(DownloadSchema), required=True)
