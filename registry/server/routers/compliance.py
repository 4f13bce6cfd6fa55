"""Organisations (MAU, grants, parents), deployments, checks and the policies in force."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from registry.compliance.service import CheckSpec
from registry.identity.roles import Principal
from registry.server.access import READ, Rule, requires
from registry.server.routers.util import if_match, store_for, tagged
from registry.server.schemas.common import (
    DEFAULT_LIMIT,
    ERRORS,
    Cursor,
    Limit,
    Page,
    cursor_as,
    page,
)
from registry.server.schemas.compliance import (
    CheckIn,
    CheckRecordOut,
    CheckResultOut,
    DeploymentIn,
    DeploymentView,
    GrantIn,
    GrantOut,
    MauIn,
    MauOut,
    OrgIn,
    OrgPatch,
    OrgSummary,
    OrgView,
    PolicyDoc,
    PolicySummary,
)

router = APIRouter(tags=["compliance"], responses=ERRORS)

# the facts that decide a license verdict are written by approvers only
APPROVER = Rule("approver")


@router.get("/orgs", response_model=Page[OrgSummary])
def list_orgs(
    *,
    request: Request,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    items = store_for(request, who).orgs(after=cursor_as(cursor, str), limit=limit + 1)
    return page(items, limit, "name")


@router.post("/orgs", status_code=201, response_model=OrgSummary)
def add_org(
    *, body: OrgIn, request: Request, who: Annotated[Principal, Depends(requires(APPROVER))]
) -> dict[str, Any]:
    return store_for(request, who).org_add(body.name, country=body.country, parent=body.parent)


@router.get("/orgs/{name:path}", response_model=OrgView)
def show_org(
    *,
    name: str,
    request: Request,
    response: Response,
    who: Annotated[Principal, Depends(requires(READ))],
) -> Any:
    return tagged(request, response, store_for(request, who).org_show(name))


@router.patch("/orgs/{name:path}", response_model=OrgView)
def change_org(
    *,
    name: str,
    body: OrgPatch,
    request: Request,
    who: Annotated[Principal, Depends(requires(APPROVER))],
) -> dict[str, Any]:
    """Change the country or the parent (``If-Match`` honoured)."""
    return store_for(request, who).org_set(
        name,
        country=body.country,
        parent=body.parent,
        clear_parent=body.clear_parent,
        if_match=if_match(request),
    )


@router.put("/orgs/{name:path}/mau/{month}", response_model=MauOut)
def set_mau(
    *,
    name: str,
    month: str,
    body: MauIn,
    request: Request,
    who: Annotated[Principal, Depends(requires(APPROVER))],
) -> dict[str, Any]:
    """Record (or replace) the monthly active users of a month (``If-Match`` honoured)."""
    return store_for(request, who).org_mau(name, month, body.users, if_match=if_match(request))


@router.post("/orgs/{name:path}/grants", response_model=GrantOut)
def add_grant(
    *,
    name: str,
    body: GrantIn,
    request: Request,
    who: Annotated[Principal, Depends(requires(APPROVER))],
) -> dict[str, Any]:
    """Record a license from Meta for one policy id (again: replaces the reference)."""
    return store_for(request, who).org_grant(
        name, body.license_id, body.reference, if_match=if_match(request)
    )


@router.get("/deployments", response_model=Page[DeploymentView])
def list_deployments(
    *,
    request: Request,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    items = store_for(request, who).deployments(after=cursor_as(cursor, str), limit=limit + 1)
    return page(items, limit, "name")


@router.post("/deployments", status_code=201, response_model=DeploymentView)
def add_deployment(
    *,
    body: DeploymentIn,
    request: Request,
    who: Annotated[Principal, Depends(requires(Rule("contributor", namespace="body:model")))],
) -> dict[str, Any]:
    return store_for(request, who).deploy_add(
        body.name,
        model=body.model,
        org=body.org,
        use=body.use,
        public_name=body.public_name,
        purposes=body.purposes,
        attestations=body.attestations,
        end_user=body.end_user,
    )


@router.get("/deployments/{name:path}", response_model=DeploymentView)
def show_deployment(
    *,
    name: str,
    request: Request,
    response: Response,
    who: Annotated[Principal, Depends(requires(READ))],
) -> Any:
    return tagged(request, response, store_for(request, who).deploy_show(name))


@router.delete("/deployments/{name:path}", status_code=204)
def remove_deployment(
    *,
    name: str,
    request: Request,
    who: Annotated[Principal, Depends(requires(Rule("contributor", namespace="deployment:name")))],
) -> Response:
    store_for(request, who).deploy_rm(name, if_match=if_match(request))
    return Response(status_code=204)


# A check of one variant or deployment runs on the event loop, as the hot reads do: its
# dozen indexed queries and its append to the audit trail take a few milliseconds, while a
# hop to the thread pool costs it a turn of a loop kept busy by those reads each way (its
# latency under load was ten times a read's). ``--all`` may take long: it goes to the pool.
@router.post("/checks", response_model=list[CheckResultOut])
async def run_check(
    *, body: CheckIn, request: Request, who: Annotated[Principal, Depends(requires(READ))]
) -> list[dict[str, Any]]:
    """Evaluate a check here, with the server's policies and facts; it is logged."""
    spec = CheckSpec(
        variant=body.variant,
        org=body.org,
        use=body.use,
        public_name=body.public_name,
        purposes=tuple(body.purposes),
        attest=tuple(body.attest),
        end_user=body.end_user,
        deployment=body.deployment,
        all=body.all,
    )
    store = store_for(request, who)
    if spec.all:
        return [r.to_dict() for r in await run_in_threadpool(store.check, spec)]
    return [r.to_dict() for r in store.check(spec)]


@router.get("/checks", response_model=Page[CheckRecordOut])
def check_history(
    *,
    request: Request,
    variant: Annotated[str, Query(max_length=255)],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    """Past checks of a variant, oldest first."""
    items = store_for(request, who).check_history(
        variant, after=cursor_as(cursor, int), limit=limit + 1
    )
    return page(items, limit, "id")


@router.get("/policies", response_model=Page[PolicySummary])
def list_policies(
    *,
    request: Request,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    after = cursor_as(cursor, str)
    items = [p for p in store_for(request, who).policies() if after is None or p["id"] > after]
    return page(items[: limit + 1], limit, "id")


@router.get("/policies/{policy_id}", response_model=PolicyDoc)
def show_policy(
    *, policy_id: str, request: Request, who: Annotated[Principal, Depends(requires(READ))]
) -> dict[str, Any]:
    return store_for(request, who).policy(policy_id)
