"""Pure code shared by build time (``kb``) and serve time (``api``): the fact vocabulary read
from ``schema/facts.schema.json``, partial dates, the served fact representation (``facts``)
and corroboration (``corroboration``); ``downloads``: the files of a dataset; ``dataset_check``:
whether a file is a dataset the API can serve, beside the schema version the build writes;
``search_format`` and ``search_text``: the search index's contract and analyzer. It imports
neither ``kb`` nor ``api`` nor Flask (pyproject.toml ``[tool.importlinter]``, tests/test_layering.py)."""
