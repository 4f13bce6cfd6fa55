"""Users and their role grants: add, list, grant, revoke (each write audited).

On a direct database the operator (``granter=None``) may do anything; through the server the
rules of :func:`registry.identity.roles.check_grant` apply.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.audit.actor import actor_of
from registry.audit.chain import iso
from registry.audit.log import record
from registry.catalog.names import check_catalog_name
from registry.db.models import ApiToken, RoleGrant, User
from registry.errors import AlreadyExistsError, InvalidInputError, NotFoundError
from registry.identity.roles import Principal, check_grant, check_namespace, check_role


def check_user_name(name: str) -> str:
    n = check_catalog_name(name, "a user name")
    if "/" in n:
        raise InvalidInputError(f"a user name {name!r} must not contain '/'")
    return n


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFoundError(f"no user named {name!r}", hint="`modelreg admin user add NAME`")
    return user


def roles_of(session: Session, user_id: int) -> dict[str, str]:
    rows = session.execute(
        select(RoleGrant.namespace, RoleGrant.role).where(RoleGrant.user_id == user_id)
    )
    return {str(ns): str(role) for ns, role in rows}


def _view(session: Session, user: User) -> dict[str, Any]:
    roles = roles_of(session, user.id)
    tokens = session.scalar(
        select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id)
    )
    return {
        "name": user.name,
        "roles": [{"role": r, "namespace": ns or None} for ns, r in sorted(roles.items())],
        "tokens": int(tokens or 0),
        "created_at": iso(user.created_at),
        "created_by": user.created_by,
    }


def add_user(
    session: Session,
    name: str,
    *,
    role: str | None = None,
    namespace: str | None = None,
    granter: Principal | None = None,
) -> dict[str, Any]:
    """Create a user, with a first role if given (global unless ``namespace``)."""
    name = check_user_name(name)
    ns = check_namespace(namespace)
    if role is not None:
        role = check_role(role)
        check_grant(granter, name, role, ns)
    elif granter is not None:
        granter.require("admin")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise AlreadyExistsError(f"user {name!r} already exists")
    user = User(name=name, created_by=actor_of(session).name)
    session.add(user)
    session.flush()
    after: dict[str, Any] = {"role": role, "namespace": ns or None}
    record(session, "user.add", name, after=after)
    if role is not None:
        session.add(
            RoleGrant(user_id=user.id, role=role, namespace=ns, created_by=actor_of(session).name)
        )
        session.flush()
        record(session, "role.add", name, after={"role": role, "namespace": ns or None})
    return _view(session, user)


def show_user(session: Session, name: str) -> dict[str, Any]:
    return _view(session, get_user(session, name))


def list_users(
    session: Session, *, after: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    stmt = select(User).order_by(User.name)
    if after is not None:
        stmt = stmt.where(User.name > after)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_view(session, u) for u in session.scalars(stmt)]


def grant_role(
    session: Session,
    name: str,
    role: str,
    *,
    namespace: str | None = None,
    granter: Principal | None = None,
) -> dict[str, Any]:
    """Give ``name`` the role ``role`` globally or in ``namespace`` (replaces the one there)."""
    role = check_role(role)
    ns = check_namespace(namespace)
    check_grant(granter, name, role, ns)
    user = get_user(session, name)
    grant = session.scalar(
        select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.namespace == ns)
    )
    before = None
    if grant is None:
        session.add(
            RoleGrant(user_id=user.id, role=role, namespace=ns, created_by=actor_of(session).name)
        )
    else:
        if granter is not None:  # replacing a role is taking it away: the same rules
            check_grant(granter, name, grant.role, ns)
        before = {"role": grant.role, "namespace": ns or None}
        grant.role = role
        grant.created_by = actor_of(session).name
    session.flush()
    record(session, "role.add", name, before=before, after={"role": role, "namespace": ns or None})
    return _view(session, user)


def revoke_role(
    session: Session, name: str, *, namespace: str | None = None, granter: Principal | None = None
) -> dict[str, Any]:
    """Take away the role ``name`` holds globally or in ``namespace``."""
    ns = check_namespace(namespace)
    user = get_user(session, name)
    grant = session.scalar(
        select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.namespace == ns)
    )
    if grant is None:
        where = f"namespace {ns!r}" if ns else "globally"
        raise NotFoundError(f"user {name!r} holds no role {where}")
    check_grant(granter, name, grant.role, ns)
    before = {"role": grant.role, "namespace": ns or None}
    session.delete(grant)
    session.flush()
    record(session, "role.remove", name, before=before)
    return _view(session, user)
