"""The facets of a fact list (issue 16): for each, the value of a fact (``{t}`` is the facts
table's alias), the join that value needs and whether a fact can count more than once through
that join (then facts are counted distinct). The API counts them over the facts a list matches
(api/queries/facets.py); the build stores the counts of the lists asked most, every fact and each
entity's facts, in ``facet_counts`` (kb/facet_counts.py): one definition for both.
"""
FACETS = {
    "type": ("{t}.type", "", False),
    "status": ("{t}.status", "", False),
    "entity": ("x.entity_id", " JOIN fact_entities x ON x.fact_id = {t}.id AND x.role != 'attributed'", True),
    "source": ("x.source_id", " JOIN citations x ON x.fact_id = {t}.id", True),
    "year": ("CASE WHEN {t}.date IS NULL THEN NULL ELSE substr({t}.date, 1, 4) END", "", False),
    "month": ("CASE WHEN length({t}.date) >= 7 THEN substr({t}.date, 1, 7) END", "", False),
    # over every citation of the fact (as_of does not narrow it: min_sources= does)
    "independent_sources": ("CAST((SELECT count(DISTINCT o.origin) FROM citations o WHERE o.fact_id = {t}.id) AS TEXT)",
                            "", False),
}


def facet_sql(name, alias):
    """``(value expression, join, count expression)`` of facet ``name`` over facts aliased ``alias``."""
    value, join, repeats = FACETS[name]
    return (value.format(t=alias), join.format(t=alias),
            f"count(DISTINCT {alias}.id)" if repeats else "count(*)")
