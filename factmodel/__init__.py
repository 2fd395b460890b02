"""Pure code shared by build time (``kb``) and serve time (``api``): the fact vocabulary read
from ``schema/facts.schema.json``, partial dates, the served fact representation (``facts``)
and corroboration (``corroboration``); ``downloads``: the files of a dataset. It imports neither
``kb`` nor ``api`` nor Flask (tests/kb/test_layering.py)."""
