"""Datasette serving the knowledge-base file, as the serve benchmark's point of comparison.

    BENCH_DATASETTE_DB=var/kb.sqlite python deploy/serve.py --interface asgi bench.datasette_app:app

The same SQLite file as the API, opened immutable (as the API does), under the same Granian
settings (workers), through its ASGI interface, since Datasette is an ASGI app. Facet suggestions
are off: they are work the API does not do, so Datasette is measured at its fastest.
"""
import os

from datasette.app import Datasette

app = Datasette(immutables=[os.environ["BENCH_DATASETTE_DB"]], settings={"suggest_facets": False}).app()
