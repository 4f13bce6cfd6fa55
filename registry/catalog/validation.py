"""Checks of the names and relations a user gives, before anything touches the catalog.

Free of SQLAlchemy, so ``add`` can refuse a bad name or relation before the ORM loads.
"""

from __future__ import annotations

from registry.catalog.names import check_catalog_name
from registry.errors import LineageError
from registry.relations import RELATIONS


def check_relation(relation: str) -> str:
    rel = relation.strip().lower()
    if rel not in RELATIONS:
        raise LineageError(f"unknown relation {relation!r}; use one of {', '.join(RELATIONS)}")
    return rel


def check_name(name: str) -> str:
    return check_catalog_name(name, "a variant name")
