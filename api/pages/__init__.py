"""Pages a person can read, check and cite (HTML, outside ``/v1``): the blueprint and what every
page shares in :mod:`.blueprint`; the routes in :mod:`.facts` (``/facts/{id}`` and its permalinks),
:mod:`.catalog` (``/sources/{id}``, ``/entities/{id}``) and :mod:`.home` (``/``, ``/search``)."""
from . import catalog, facts, home  # noqa: F401  (each module adds its routes to the blueprint)
from .blueprint import blp

__all__ = ["blp"]
