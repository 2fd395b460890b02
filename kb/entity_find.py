"""``kb entity find NAME``: the entities whose id, name or alias is (or holds) NAME, and the
spellings that more than one entity has. Dispatched by :mod:`kb.curate`.
"""
from pathlib import Path

import yaml

from . import entity_names, hints


def load_entities(seeds):
    entities = {}
    seeds = Path(seeds)
    files = sorted((seeds / "entities").glob("*.yaml")) + ([seeds / "entities.yaml"] if (seeds / "entities.yaml").exists() else [])
    for path in files:
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entities") or ():
            if isinstance(item, dict) and "id" in item:
                entities.setdefault(item["id"], {**item, "file": str(path)})
    return entities


def shared_aliases(entities):
    """``{folded name or alias: [entity ids]}`` for spellings that more than one entity has."""
    return {name: sorted(eid for eid, _, _ in found) for name, found in entity_names.shared(entities).items()}


def entity_find(seeds, name, out=None):
    entities = load_entities(seeds)
    key = hints.fold(name)
    hits = []
    for eid, row in entities.items():
        spellings = [eid, eid.replace("-", " "), row.get("name") or "", *(row.get("aliases") or ())]
        folded = [hints.fold(s) for s in spellings]
        if any(key == f for f in folded):
            hits.append((0, eid))
        elif any(key in f for f in folded):
            hits.append((1, eid))
    if not hits:
        close = hints.did_you_mean(name, entities, hints._names(entities))
        print(f"no entity named {name!r}{close}; add one to seeds/entities/<type>.yaml "
              f"(id suggestion: {hints.slugify(name)!r})", file=out)
    for _, eid in sorted(hits):
        row = entities[eid]
        print(f"{eid}  ({row.get('type')}) {row.get('name')}; aliases: {', '.join(row.get('aliases') or []) or '-'}"
              f"  [{row['file']}]", file=out)
    shared = shared_aliases(entities)
    for spelling, ids in sorted(shared.items()):
        if set(ids) & {eid for _, eid in hits}:
            print(f"warning: {spelling!r} is a name or alias of {len(ids)} entities: {', '.join(ids)}", file=out)
    return 0 if hits else 1
