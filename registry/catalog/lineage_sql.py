"""The recursive CTEs that walk lineage, as portable SQL shared by the ORM and DBAPI paths.

Edges are collected with ``UNION`` (not ``UNION ALL``), so diamond-shaped lineage, and even
a corrupt cyclic graph, terminates; depths are computed afterwards over the small edge set.
"""

ANCESTOR_EDGES_SQL = """
    WITH RECURSIVE anc(child_id, parent_id, relation) AS (
        SELECT child_id, parent_id, relation FROM lineage_edges WHERE child_id = :start
        UNION
        SELECT e.child_id, e.parent_id, e.relation
        FROM lineage_edges e JOIN anc ON e.child_id = anc.parent_id
    )
    SELECT child_id, parent_id, relation FROM anc
"""

DESCENDANT_EDGES_SQL = """
    WITH RECURSIVE des(child_id, parent_id, relation) AS (
        SELECT child_id, parent_id, relation FROM lineage_edges WHERE parent_id = :start
        UNION
        SELECT e.child_id, e.parent_id, e.relation
        FROM lineage_edges e JOIN des ON e.parent_id = des.child_id
    )
    SELECT child_id, parent_id, relation FROM des
"""
