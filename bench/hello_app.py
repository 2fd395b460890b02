"""The framework ceiling: a bare Flask app answering ``GET /`` with a short text body.

Served by the serve benchmark under the same Granian settings as the API
(``python deploy/serve.py bench.hello_app:app``), and under gunicorn's sync workers, the old
production server, as a baseline.
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
