"""Build-time code: validate the YAML seeds and build the SQLite knowledge base.

Nothing here is imported by the API (``api``); the two meet only in the database schema
(see ``kb.build.SCHEMA_VERSION`` and ``docs/database.md``), and in the facts dump the build writes
with the database, whose lines the API's own row-to-JSON code makes (``kb/artifacts.py``).
"""
