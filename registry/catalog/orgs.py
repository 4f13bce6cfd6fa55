"""Organisations (licensees): country, parent, monthly active users per month, grants.

An organisation's corporate family is every organisation linked to it through parent
links in either direction, transitively (COMPLIANCE.md §2.1).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.audit.actor import actor_of
from registry.audit.log import record
from registry.catalog.names import check_catalog_name
from registry.compliance.countries import validate_country
from registry.db.models.compliance import Grant, MonthlyActiveUsers, Organisation
from registry.errors import AlreadyExistsError, InvalidInputError, NotFoundError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def get_org(session: Session, name: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        raise NotFoundError(f"no organisation named {name!r}; add it with `modelreg org add`")
    return org


def add_org(
    session: Session, name: str, *, country: str | None = None, parent: str | None = None
) -> Organisation:
    """Register an organisation; the parent must exist already."""
    name = check_catalog_name(name, "an organisation name")
    if session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None:
        raise AlreadyExistsError(f"organisation {name!r} already exists")
    parent_id = get_org(session, parent).id if parent else None
    org = Organisation(
        name=name, country=validate_country(country) if country else None, parent_id=parent_id
    )
    session.add(org)
    session.flush()
    record(session, "org.add", name, after={"country": org.country, "parent": parent})
    return org


def update_org(
    session: Session,
    name: str,
    *,
    country: str | None = None,
    parent: str | None = None,
    clear_parent: bool = False,
) -> Organisation:
    """Change an organisation's country or parent (a parent link may not close a loop)."""
    org = get_org(session, name)
    old_parent = session.get(Organisation, org.parent_id) if org.parent_id else None
    before = {"country": org.country, "parent": old_parent.name if old_parent else None}
    if country is not None:
        org.country = validate_country(country) if country.strip() else None
    if clear_parent:
        org.parent_id = None
    elif parent is not None:
        new_parent = get_org(session, parent)
        if new_parent.id == org.id or _is_ancestor(session, org.id, new_parent):
            raise InvalidInputError(f"making {parent!r} the parent of {name!r} would close a loop")
        org.parent_id = new_parent.id
    session.flush()
    parent_row = session.get(Organisation, org.parent_id) if org.parent_id else None
    after = {"country": org.country, "parent": parent_row.name if parent_row else None}
    if after != before:
        record(session, "org.set", name, before=before, after=after)
    return org


def _is_ancestor(session: Session, org_id: int, start: Organisation) -> bool:
    """True if ``org_id`` is ``start`` or one of its parents, transitively."""
    seen: set[int] = set()
    node: Organisation | None = start
    while node is not None and node.id not in seen:
        if node.id == org_id:
            return True
        seen.add(node.id)
        node = session.get(Organisation, node.parent_id) if node.parent_id else None
    return False


def validate_month(month: str) -> str:
    m = _MONTH.match(month.strip())
    if m is None or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise InvalidInputError(f"month {month!r} must be a calendar month as YYYY-MM")
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def validate_users(users: object) -> int:
    if isinstance(users, str) and re.fullmatch(r"\s*[+-]?\d+\s*", users):
        users = int(users)
    if isinstance(users, bool) or not isinstance(users, int):
        raise InvalidInputError(f"monthly active users must be a whole number, not {users!r}")
    if users < 0:
        raise InvalidInputError(f"monthly active users cannot be negative ({users})")
    return users


def set_mau(
    session: Session, org: str, month: str, users: object, *, by: str | None = None
) -> tuple[MonthlyActiveUsers, int | None]:
    """Record (or replace) an organisation's MAU for a month; return it and the old value."""
    month = validate_month(month)
    count = validate_users(users)
    target = get_org(session, org)
    by = by or actor_of(session).name
    row = session.get(MonthlyActiveUsers, (target.id, month))
    old = None
    if row is None:
        row = MonthlyActiveUsers(org_id=target.id, month=month, users=count, recorded_by=by)
        session.add(row)
    else:
        old = row.users
        row.users = count
        row.recorded_by = by
    session.flush()
    record(
        session,
        "org.mau.set",
        target.name,
        before=None if old is None else {"month": month, "users": old},
        after={"month": month, "users": count},
    )
    return row, old


def add_grant(
    session: Session, org: str, license_id: str, reference: str, *, by: str | None = None
) -> Grant:
    """Record a license from Meta for one policy id (again for the same id: new reference)."""
    if not reference.strip():
        raise InvalidInputError("a grant needs a reference (a contract number, a ticket...)")
    target = get_org(session, org)
    by = by or actor_of(session).name
    grant = session.scalar(
        select(Grant).where(Grant.org_id == target.id, Grant.license_id == license_id)
    )
    before = None
    if grant is None:
        grant = Grant(org_id=target.id, license_id=license_id, reference=reference, created_by=by)
        session.add(grant)
    else:
        before = {"license": license_id, "reference": grant.reference}
        grant.reference = reference
        grant.created_by = by
    session.flush()
    after = {"license": license_id, "reference": reference}
    record(session, "grant.add", target.name, before=before, after=after)
    return grant


@dataclass(frozen=True)
class OrgView:
    name: str
    country: str | None
    parent: str | None
    family: tuple[str, ...]
    mau: tuple[tuple[str, int], ...]
    grants: tuple[tuple[str, str], ...]


def list_orgs(
    session: Session, *, after: str | None = None, limit: int | None = None
) -> Sequence[tuple[str, str | None, str | None]]:
    """(name, country, parent) by name; ``after`` and ``limit`` give one keyset page."""
    stmt = select(Organisation).order_by(Organisation.name)
    if after is not None:
        stmt = stmt.where(Organisation.name > after)
    if limit is not None:
        stmt = stmt.limit(limit)
    orgs = session.scalars(stmt).all()
    parent_ids = {o.parent_id for o in orgs if o.parent_id is not None}
    by_id = {
        int(oid): str(name)
        for oid, name in session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(parent_ids))
        )
    }
    return [(o.name, o.country, by_id.get(o.parent_id or -1)) for o in orgs]


def family_of(session: Session, org: Organisation) -> tuple[str, ...]:
    """The corporate family (the organisation included), by name."""
    rows = session.execute(select(Organisation.id, Organisation.name, Organisation.parent_id))
    links: dict[int, set[int]] = {}
    names: dict[int, str] = {}
    for oid, name, parent in rows:
        names[oid] = name
        links.setdefault(oid, set())
        if parent is not None:
            links[oid].add(parent)
            links.setdefault(parent, set()).add(oid)
    seen = {org.id}
    todo = [org.id]
    while todo:
        for nxt in links.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return tuple(sorted(names[i] for i in seen))


def show_org(session: Session, name: str) -> OrgView:
    org = get_org(session, name)
    parent = session.get(Organisation, org.parent_id) if org.parent_id else None
    mau = session.execute(
        select(MonthlyActiveUsers.month, MonthlyActiveUsers.users)
        .where(MonthlyActiveUsers.org_id == org.id)
        .order_by(MonthlyActiveUsers.month)
    ).all()
    grants = session.execute(
        select(Grant.license_id, Grant.reference)
        .where(Grant.org_id == org.id)
        .order_by(Grant.license_id)
    ).all()
    return OrgView(
        name=org.name,
        country=org.country,
        parent=parent.name if parent else None,
        family=family_of(session, org),
        mau=tuple((m, int(u)) for m, u in mau),
        grants=tuple((lid, ref) for lid, ref in grants),
    )
