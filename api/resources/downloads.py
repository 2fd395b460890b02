"""``/v1/downloads``: the served release's SQLite file, gzipped NDJSON dump of every fact and
Parquet files (api/dataset/downloads.py; docs/releases.md, "Downloads"), resumable with ``Range``."""
import marshmallow as ma
from flask import current_app, g, send_file
from flask.views import MethodView
from flask_smorest import abort
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from ..blueprint import Blueprint, doc_only
from ..dataset import downloads
from ..http.errors import ProblemSchema, problem
from ..params import NoQuerySchema
from ..shapes.downloads import SHA, DownloadListSchema
from ..spec import PROBLEM

F = ma.fields
blp = Blueprint("downloads", __name__, url_prefix="/v1/downloads",
                description="The served release as files: the SQLite database, every fact as gzipped NDJSON, "
                            "and the facts, citations and entities as Parquet")
BINARY = {"schema": {"type": "string", "format": "binary"}}
CONTENT = {"application/vnd.sqlite3": BINARY, "application/gzip": BINARY, "application/vnd.apache.parquet": BINARY}


def _header(description, example, type_="string"):
    return {"description": description, "schema": {"type": type_}, "example": example}


FILE_HEADERS = {
    "ETag": _header("The file's SHA-256 (a strong validator: `If-None-Match`, `If-Range`)", f'"{SHA}"'),
    "Accept-Ranges": _header("`bytes`: a `Range` request resumes a download", "bytes"),
    "Content-Length": _header("Bytes in this response", 10331, "integer"),
    "Last-Modified": _header("The dataset's build time", "Thu, 28 Nov 2026 03:57:04 GMT"),
}


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

        The files of the release served: `kb.sqlite` (the SQLite database this API reads),
        `facts.ndjson.gz` (every fact, one per line, as `GET /v1/facts/{fact_id}` serves it, in
        the order of `GET /v1/facts`) and, since 1.11.0, `facts.parquet`, `citations.parquet`
        and `entities.parquet` (the same values as columns, for pandas and DuckDB:
        docs/downloads.md), each with its size and SHA-256.
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

    The bytes of `kb.sqlite`, `facts.ndjson.gz` or a Parquet file of the release served, with `ETag` (the
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
