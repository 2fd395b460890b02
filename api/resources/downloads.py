"""``/v1/downloads``: the served release's SQLite file and gzipped NDJSON dump of every fact
(api/dataset/downloads.py; docs/releases.md, "Downloads"), resumable with ``Range``."""
import marshmallow as ma
from flask import current_app, g, send_file
from flask.views import MethodView
from flask_smorest import abort
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from ..dataset import downloads
from ..blueprint import Blueprint, doc_only
from ..http.errors import ProblemSchema, problem
from ..params import NoQuerySchema
from ..spec import PROBLEM

F = ma.fields
blp = Blueprint("downloads", __name__, url_prefix="/v1/downloads",
                description="The served release as files: the SQLite database and every fact as gzipped NDJSON")
BINARY = {"schema": {"type": "string", "format": "binary"}}
CONTENT = {"application/vnd.sqlite3": BINARY, "application/gzip": BINARY}


def _header(description, example, type_="string"):
    return {"description": description, "schema": {"type": type_}, "example": example}


SHA = "0e9f4af7e19eeca3a6be181030acd98dab4671d7fad0edca93fedf0c0d8f0132"
FILE_HEADERS = {
    "ETag": _header("The file's SHA-256 (a strong validator: `If-None-Match`, `If-Range`)", f'"{SHA}"'),
    "Accept-Ranges": _header("`bytes`: a `Range` request resumes a download", "bytes"),
    "Content-Length": _header("Bytes in this response", 10331, "integer"),
    "Last-Modified": _header("The dataset's build time", "Thu, 28 Nov 2026 03:57:04 GMT"),
}


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
    name = F.String(required=True, metadata={"enum": list(downloads.NAMES), "example": "facts.ndjson.gz"})
    release = F.String(required=True, allow_none=True, metadata={
        "description": "The release the file is (the newest, the one served); null for a database without releases",
        "example": "ce5e8e57-89cacdf2ac"})


class DownloadListSchema(ma.Schema):
    dataset_version = F.String(required=True, metadata={"example": "9eef53813c6aa8323fd650306880dec5"})
    data = F.List(F.Nested(DownloadSchema), required=True)


def _artifacts():
    try:
        return downloads.artifacts(g.db)
    except FileNotFoundError:  # the worker moved on to a newer dataset under this request
        abort(503, message="The dataset is being replaced; try again.")


@blp.route("")
class Downloads(MethodView):
    @blp.arguments(NoQuerySchema, location="query")
    @blp.response(200, DownloadListSchema)
    @blp.doc(operationId="listDownloads")
    def get(self, _args):
        """List the downloads

        The files of the release served: `kb.sqlite` (the SQLite database this API reads) and
        `facts.ndjson.gz` (every fact, one per line, as `GET /v1/facts/{fact_id}` serves it, in
        the order of `GET /v1/facts`), each with its size and SHA-256.
        """
        release = downloads.current_release(g.db)
        return {"dataset_version": g.db.version,
                "data": [a.as_dict(release) for a in _artifacts().values()]}


# A file takes no query parameters and returns a finished Response: see doc_only.
@blp.route("/<any(" + ", ".join(f'"{n}"' for n in downloads.NAMES) + "):name>",
           parameters=[{"in": "path", "name": "name", "description": "Name of the file", "example": "facts.ndjson.gz"}])
@doc_only(blp.doc(operationId="getDownload", responses={
    200: {"description": "The whole file", "content": CONTENT, "headers": FILE_HEADERS},
    206: {"description": "The range asked for in `Range` (one range; resumes a download)", "content": CONTENT,
          "headers": {**FILE_HEADERS, "Content-Range": _header("The bytes sent, of the whole", "bytes 0-1023/10331")}},
    304: {"description": "`If-None-Match` names the file's ETag: the copy you have is current"},
    404: {"$ref": "#/components/responses/NOT_FOUND"},
}), blp.alt_response(416, schema=ProblemSchema, content_type=PROBLEM,
                     description="The `Range` lies outside the file (`Content-Range: bytes */SIZE`)"))
def get_download(name):
    """Download a file

    The bytes of `kb.sqlite` or `facts.ndjson.gz` of the release served, with `ETag` (the
    SHA-256, as the list shows), `Content-Length`, `Last-Modified`; `Range` (one range of bytes)
    answers 206, `If-Range` and `If-None-Match` are honoured. Resume an interrupted download with
    `curl -C -` or `Range: bytes=N-`, then check the SHA-256.
    """
    found = _artifacts().get(name)
    if found is None:
        abort(404, message=f"No file {name!r} for this dataset (it was built without it).")
    try:
        response = send_file(found.path, mimetype=found.media_type, as_attachment=True, download_name=name,
                             conditional=True, etag=found.sha256, last_modified=found.last_modified,
                             max_age=current_app.config["CACHE_MAX_AGE"])
    except RequestedRangeNotSatisfiable:
        return problem(416, "Range Not Satisfiable",
                       f"The file has {found.size} bytes; the Range asks for none of them.",
                       slug="range-not-satisfiable", headers={"Content-Range": f"bytes */{found.size}"})
    except FileNotFoundError:
        abort(503, message="The dataset is being replaced; try again.")
    response.headers.pop("Expires", None)  # Cache-Control says it
    return response
