"""Finding, listing, linking and removing variants in one ORM session (a new variant is
inserted by :mod:`registry.catalog.variant_insert`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from registry.audit.actor import os_user_name
from registry.audit.log import record
from registry.catalog.lineage import would_create_cycle
from registry.catalog.validation import check_relation
from registry.catalog.variant_insert import variant_audit_view
from registry.db.models import LineageEdge, UnresolvedParent, Variant, VariantFile
from registry.errors import (
    AlreadyExistsError,
    LineageError,
    NotFoundError,
)
from registry.hub.origin import hub_origin


def current_user() -> str:
    return os_user_name()


def namespace_of(name: str) -> str | None:
    """The namespace of a variant name: the part before its first ``/`` (as on the Hub)."""
    head, sep, _rest = name.partition("/")
    return head if sep and head else None


def find_variant(session: Session, name: str) -> Variant | None:
    return session.scalars(select(Variant).where(Variant.name == name)).first()


def get_variant(session: Session, name: str, *, with_files: bool = False) -> Variant:
    stmt = select(Variant).where(Variant.name == name)
    if with_files:
        stmt = stmt.options(selectinload(Variant.files))
    variant = session.scalars(stmt).first()
    if variant is None:
        raise NotFoundError(f"no variant named {name!r}", hint="`modelreg list` shows them")
    return variant


def audit_view(session: Session, variant: Variant) -> dict[str, Any]:
    """What the audit trail records of a variant when it is removed (see
    :func:`registry.catalog.variant_insert.variant_audit_view`)."""
    parents = session.execute(
        select(Variant.name, LineageEdge.relation)
        .join(LineageEdge, LineageEdge.parent_id == Variant.id)
        .where(LineageEdge.child_id == variant.id)
    ).all()
    unresolved = session.execute(
        select(UnresolvedParent.reference, UnresolvedParent.relation).where(
            UnresolvedParent.variant_id == variant.id
        )
    ).all()
    files = session.scalar(
        select(func.count()).select_from(VariantFile).where(VariantFile.variant_id == variant.id)
    )
    return variant_audit_view(
        license_id=variant.license_id,
        license_name=variant.license_name,
        parents=[(str(n), str(r)) for n, r in parents],
        unresolved=[(str(n), str(r)) for n, r in unresolved],
        modalities=list(variant.modalities),
        source_uri=variant.source_uri,
        content_digest=variant.content_digest,
        files=int(files or 0),
        total_bytes=int(variant.total_bytes),
    )


def link_parent(session: Session, child_name: str, parent_name: str, relation: str) -> None:
    """Add a lineage edge between two registered variants, refusing cycles."""
    rel = check_relation(relation)
    child = get_variant(session, child_name)
    parent = get_variant(session, parent_name)
    existing = session.get(LineageEdge, (child.id, parent.id))
    if existing is not None:
        raise AlreadyExistsError(f"{parent_name!r} is already a parent of {child_name!r}")
    if would_create_cycle(session, child.id, parent.id):
        raise LineageError(
            f"making {parent_name!r} a parent of {child_name!r} would create a lineage cycle"
        )
    session.add(LineageEdge(child_id=child.id, parent_id=parent.id, relation=rel))
    record(session, "variant.link", child_name, after={"parent": parent_name, "relation": rel})
    # the parent settles a base model named by its own name or by its Hub repository id
    origin = hub_origin(parent.source_uri)
    refs = {parent_name} | ({origin.repo_id} if origin else set())
    session.execute(
        delete(UnresolvedParent).where(
            UnresolvedParent.variant_id == child.id, UnresolvedParent.reference.in_(refs)
        )
    )
    session.flush()


def list_variants(session: Session) -> list[Variant]:
    return list(session.scalars(select(Variant).order_by(Variant.name)))


def count_children(session: Session, variant_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(LineageEdge).where(LineageEdge.parent_id == variant_id)
        )
        or 0
    )


def remove_variant(session: Session, name: str) -> None:
    """Delete a variant, its files and edges to its parents; refused while it has children."""
    variant = get_variant(session, name)
    children = count_children(session, variant.id)
    if children:
        raise LineageError(
            f"{name!r} has {children} child variant(s); remove them first",
            hint="`modelreg tree NAME` shows them",
        )
    from registry.catalog.deployments import deployments_of

    deployed = deployments_of(session, variant.id)
    if deployed:
        raise LineageError(
            f"{name!r} is used by deployment(s) {', '.join(deployed)}; remove them first",
            hint="`modelreg deploy rm NAME`",
        )
    before = audit_view(session, variant)
    session.execute(delete(Variant).where(Variant.id == variant.id))
    record(session, "variant.rm", name, before=before)
