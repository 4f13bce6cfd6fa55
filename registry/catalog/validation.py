"""Checks of the names and relations a user gives, before anything touches the catalog."""

from __future__ import annotations

from registry.errors import InvalidInputError, LineageError
from registry.relations import RELATIONS

MAX_NAME_LENGTH = 255


def check_relation(relation: str) -> str:
    rel = relation.strip().lower()
    if rel not in RELATIONS:
        raise LineageError(f"unknown relation {relation!r}; use one of {', '.join(RELATIONS)}")
    return rel


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInputError("a variant name must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(f"a variant name is at most {MAX_NAME_LENGTH} characters")
    if any(ord(c) < 32 for c in name):
        raise InvalidInputError("a variant name must not contain control characters")
    return name
