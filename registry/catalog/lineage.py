"""Lineage checks inside a write transaction (the ORM side): would an edge close a cycle?"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.catalog.lineage_sql import DESCENDANT_EDGES_SQL


def descendant_ids(session: Session, variant_id: int) -> set[int]:
    rows = session.execute(text(DESCENDANT_EDGES_SQL), {"start": variant_id}).all()
    return {int(child) for child, _parent, _relation in rows}


def would_create_cycle(session: Session, child_id: int, parent_id: int) -> bool:
    """True if making ``parent_id`` a parent of ``child_id`` closes a loop."""
    return child_id == parent_id or parent_id in descendant_ids(session, child_id)
