"""Serve-time code: the read-only HTTP API over the knowledge-base SQLite file.

Importing ``api`` (or any of its modules) builds nothing: the app is made by
:func:`api.app.create_app`. The README's "Layout" maps the package."""
