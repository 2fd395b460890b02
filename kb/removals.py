"""``seeds/removals.yaml``: why a published fact, entity or source was removed (issue 15).

A curator who removes something from the seeds may say why; the API's ``410 Gone`` for that id
then gives the reason (api/queries/releases.py), and names the release that removed it when git
history shows it. An id listed here must not be in the seeds any more (that is checked), and a
``(kind, id)`` is listed once.
"""
from .problems import Issue

FILE = "removals.yaml"


def load(seeds):
    """The removals ``[(kind, id, reason)]``, after checking them against what ``seeds`` holds
    (``Seeds.finish`` calls it, once every fact has been read); problems go to ``seeds.problems``."""
    path = seeds.root / FILE
    if not path.exists():
        return []
    doc, bad, problems, _ = seeds._read(path, "removals")
    seeds.problems += problems
    if doc is None:
        return []
    items = [(index, item) for index, item in enumerate(doc["removals"]) if index not in bad]
    facts = seeds._fact_ids.lookup({item["id"] for _, item in items if item["kind"] == "fact"})
    present = {"fact": facts, "entity": seeds.entities, "source": seeds.sources}
    rows, seen, issues = [], set(), []
    for index, item in items:
        key = (item["kind"], item["id"])
        if key in seen:
            issues.append(Issue(("removals", index, "id"), f"{item['kind']} {item['id']!r} is listed twice"))
        elif item["id"] in present[item["kind"]]:
            issues.append(Issue(("removals", index, "id"),
                                f"{item['kind']} {item['id']!r} is listed as removed but is still in the seeds: "
                                f"remove it from the seeds, or this entry"))
        else:
            seen.add(key)
            rows.append((item["kind"], item["id"], item["reason"]))
    seeds._report(path, issues)
    return sorted(rows)
