"""Pure code shared by build time (``kb``) and serve time (``api``): the fact vocabulary read
from ``schema/facts.schema.json`` and partial dates. It imports neither ``kb`` nor ``api``; ``downloads``: the files of a dataset."""
