"""Swagger UI at ``/docs``, served from this process.

The assets come from the ``flask-swagger-ui`` package (swagger-ui 5); the page has no inline
script, so its Content-Security-Policy can forbid everything but our own origin.
"""
from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, render_template, send_from_directory

ASSETS = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
STATIC = Path(__file__).resolve().parent / "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

blp = Blueprint("docs", __name__, template_folder="templates")


@blp.after_request
def _csp(response):
    response.headers["Content-Security-Policy"] = CSP
    return response


@blp.get("/docs")
def page():
    return render_template("swagger_ui.html")


@blp.get("/docs/assets/<path:filename>")
def asset(filename):
    folder = STATIC if (STATIC / filename).is_file() else ASSETS
    return send_from_directory(folder, filename, max_age=86400)
