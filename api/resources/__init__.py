"""The views, one module per resource (route -> query -> shape), and the order their
blueprints are registered in (the order of the paths in the spec). The typed fact resources
(``/v1/meetings``…) are one module, ``typed``, that makes one per fact type of the vocabulary."""
from . import changes, conflicts, downloads, entities, facts, index, reconcile, releases, search, sources
from .typed import TYPED

BLUEPRINTS = [index.blp, facts.blp, *(resource.blp for resource in TYPED.values()), entities.blp, sources.blp,
              search.blp, releases.blp, changes.blp, downloads.blp, conflicts.blp, reconcile.blp]
