"""The framework ceiling: a bare Flask app answering ``GET /`` with a short text body.

Served by the serve benchmark under the same gunicorn settings as the API
(``gunicorn -c deploy/gunicorn.conf.py bench.hello_app:app``).
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
