"""The facet counts of the fact lists asked most, stored at build time (issue 16): every fact
(scope ``''``) and each entity's facts (scope: the entity id, as ``/v1/facts?entity=ID`` and
``/v1/entities/ID/facts`` match them), for every facet of :mod:`factmodel.facets`. Counting
them when asked takes seconds for a popular entity at 1M facts; read from here it is one index
range (api/queries/facets.py). Any other filter is counted live, under the time limit.
"""
from factmodel.facets import FACETS, facet_sql


def write(conn):
    """Create and fill ``facet_counts`` (docs/database.md) with ``conn``; return its row count."""
    conn.execute("CREATE TABLE facet_counts (scope TEXT NOT NULL, facet TEXT NOT NULL, value TEXT, "
                 "n INTEGER NOT NULL)")
    for name in FACETS:
        value, join, count = facet_sql(name, "f")
        conn.execute(f"INSERT INTO facet_counts SELECT '', ?, {value}, {count} FROM facts f{join} GROUP BY 3",
                     (name,))
        # each entity's facts (entity=, its own roles) and its timeline (any role, attributed too:
        # scope "about:<id>"): one row per (entity, fact) however many roles the entity has in it
        for scope, where in (("e.entity_id", "WHERE role != 'attributed'"), ("'about:' || e.entity_id", "")):
            conn.execute(f"INSERT INTO facet_counts SELECT {scope}, ?, {value}, {count} "
                         f"FROM (SELECT DISTINCT entity_id, fact_id FROM fact_entities {where}) e "
                         f"JOIN facts f ON f.id = e.fact_id{join} GROUP BY 1, 3", (name,))
    conn.execute("CREATE INDEX facet_counts_rank ON facet_counts (scope, facet, n DESC, value)")
    return conn.execute("SELECT count(*) FROM facet_counts").fetchone()[0]
