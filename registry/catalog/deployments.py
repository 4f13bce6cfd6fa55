"""Deployments: a named use of a variant by an organisation (what ``check --all`` checks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.audit.actor import actor_of
from registry.audit.log import record
from registry.catalog.names import check_catalog_name
from registry.catalog.orgs import get_org
from registry.compliance.purposes import validate_attestations, validate_purposes, validate_use
from registry.db.models.compliance import Deployment, Organisation
from registry.db.models.variants import Variant
from registry.errors import AlreadyExistsError, NotFoundError


def _variant(session: Session, name: str) -> Variant:
    variant = session.scalar(select(Variant).where(Variant.name == name))
    if variant is None:
        raise NotFoundError(f"no variant named {name!r}")
    return variant


def add_deployment(
    session: Session,
    name: str,
    *,
    model: str,
    org: str,
    use: str,
    public_name: str | None = None,
    purposes: Sequence[str] = (),
    attestations: Sequence[str] = (),
    end_user: bool = False,
    by: str | None = None,
) -> Deployment:
    """Register a deployment; every word is validated before anything is written."""
    name = check_catalog_name(name, "a deployment name")
    use = validate_use(use)
    slugs = validate_purposes(purposes)
    kinds = validate_attestations(attestations)
    if session.scalar(select(Deployment.id).where(Deployment.name == name)) is not None:
        raise AlreadyExistsError(f"deployment {name!r} already exists")
    variant = _variant(session, model)
    organisation = get_org(session, org)
    by = by or actor_of(session).name
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    dep = Deployment(
        name=name,
        variant_id=variant.id,
        org_id=organisation.id,
        use=use,
        public_name=public_name,
        purposes=list(slugs),
        attestations=[{"kind": k, "by": by or "", "at": at} for k in kinds],
        end_user=end_user,
        created_by=by,
    )
    session.add(dep)
    session.flush()
    record(session, "deployment.add", name, after=_audit_view(dep, variant.name, organisation.name))
    return dep


def _audit_view(dep: Deployment, model: str, org: str) -> dict[str, Any]:
    return {
        "model": model,
        "org": org,
        "use": dep.use,
        "public_name": dep.public_name,
        "purposes": list(dep.purposes),
        "attestations": [a["kind"] for a in dep.attestations],
        "end_user": dep.end_user,
    }


def deployments_of(session: Session, variant_id: int) -> list[str]:
    """Names of the deployments of a variant (a deployed variant cannot be removed)."""
    return list(
        session.scalars(
            select(Deployment.name)
            .where(Deployment.variant_id == variant_id)
            .order_by(Deployment.name)
        )
    )


def remove_deployment(session: Session, name: str) -> None:
    dep = session.scalar(select(Deployment).where(Deployment.name == name))
    if dep is None:
        raise NotFoundError(f"no deployment named {name!r}")
    variant = session.get(Variant, dep.variant_id)
    organisation = session.get(Organisation, dep.org_id)
    before = _audit_view(
        dep, variant.name if variant else "?", organisation.name if organisation else "?"
    )
    session.delete(dep)
    session.flush()
    record(session, "deployment.rm", name, before=before)


def list_deployments(
    session: Session,
    *,
    after: str | None = None,
    limit: int | None = None,
    name: str | None = None,
) -> list[dict[str, Any]]:
    """Deployments by name; ``after`` and ``limit`` give one keyset page (``name``: one)."""
    stmt = (
        select(Deployment, Variant.name, Organisation.name)
        .join(Variant, Variant.id == Deployment.variant_id)
        .join(Organisation, Organisation.id == Deployment.org_id)
        .order_by(Deployment.name)
    )
    if after is not None:
        stmt = stmt.where(Deployment.name > after)
    if name is not None:
        stmt = stmt.where(Deployment.name == name)
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = session.execute(stmt).all()
    return [
        {
            "name": d.name,
            "model": vname,
            "org": oname,
            "use": d.use,
            "public_name": d.public_name or vname,
            "purposes": list(d.purposes),
            "attestations": [a["kind"] for a in d.attestations],
            "end_user": d.end_user,
        }
        for d, vname, oname in rows
    ]


def get_deployment_view(session: Session, name: str) -> dict[str, Any]:
    """One deployment as :func:`list_deployments` shows it (NotFoundError if unknown)."""
    found = list_deployments(session, name=name)
    if not found:
        raise NotFoundError(f"no deployment named {name!r}")
    return found[0]
