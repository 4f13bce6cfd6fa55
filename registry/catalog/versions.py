"""Versions of catalog resources, for HTTP ETags and conditional updates (``If-Match``).

A resource's version is a digest of the document that reading it returns (``show`` of a
variant, an organisation with its MAU and grants, a deployment, a user with their roles),
so any change to what a reader saw changes the version. An update sent with ``If-Match``
is checked inside its own write transaction, which holds the catalog's write lock, so no
other write can slip in between the check and the change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from sqlalchemy.orm import Session

from registry.errors import InvalidInputError, PreconditionFailedError

KINDS = ("variant", "org", "deployment", "user")


def etag(doc: Any) -> str:
    """A strong ETag for a JSON-ready document."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def matches(if_match: str, current: str) -> bool:
    """RFC 9110 If-Match: ``*`` or a list of tags, one equal to ``current`` (weak tags never
    match: a conditional update needs a strong comparison)."""
    value = if_match.strip()
    if value == "*":
        return True
    return any(tag.strip() == current for tag in value.split(","))


def current_view(session: Session, kind: str, name: str) -> Any:
    """The document a reader gets for a resource, read inside ``session``'s transaction."""
    if kind == "variant":
        from registry.catalog.describe import describe
        from registry.db.reader import Reader

        conn = session.connection()
        reader = Reader(conn.connection.dbapi_connection, "catalog", conn.dialect.name)
        return describe(reader, name)
    if kind == "org":
        from registry.catalog.orgs import show_org

        return dataclasses.asdict(show_org(session, name))
    if kind == "deployment":
        from registry.catalog.deployments import get_deployment_view

        return get_deployment_view(session, name)
    if kind == "user":
        from registry.identity.users import show_user

        return show_user(session, name)
    raise InvalidInputError(f"no versions for {kind!r}")


def require_version(session: Session, kind: str, name: str, if_match: str | None) -> None:
    """Raise :class:`PreconditionFailedError` unless ``if_match`` names the current version."""
    if if_match is None:
        return
    current = etag(current_view(session, kind, name))
    if not matches(if_match, current):
        raise PreconditionFailedError(
            f"{kind} {name!r} changed since it was read (its version is now {current}); "
            "read it again and retry"
        )
