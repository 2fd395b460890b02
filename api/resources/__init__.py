"""The views, one module per resource (route -> query -> shape), and the order their
blueprints are registered in (the order of the paths in the spec)."""
from factmodel import vocabulary

from . import (changes, conflicts, downloads, entities, events, facts, index, leases, meetings, positions, reconcile,
               releases, search, sources, statements, troop_deployments)

# the typed fact resources, by fact type (each module's TYPE)
TYPED = {module.TYPE.name: module for module in (meetings, troop_deployments, leases, events, statements, positions)}
BLUEPRINTS = [index.blp, facts.blp, *(TYPED[name].blp for name in vocabulary.TYPES), entities.blp, sources.blp,
              search.blp, releases.blp, changes.blp, downloads.blp, conflicts.blp, reconcile.blp]
