"""Datasette serving the knowledge-base file, as the serve benchmark's point of comparison.

    BENCH_DATASETTE_DB=var/kb.sqlite gunicorn -c deploy/gunicorn.conf.py \
        -k uvicorn.workers.UvicornWorker bench.datasette_app:app

The same SQLite file as the API, opened immutable (as the API does), under the same gunicorn
settings (workers) with uvicorn's worker, since Datasette is an ASGI app. Facet suggestions
are off: they are work the API does not do, so Datasette is measured at its fastest.
"""
import os

from datasette.app import Datasette

app = Datasette(immutables=[os.environ["BENCH_DATASETTE_DB"]], settings={"suggest_facets": False}).app()
