"""Releases: request, approve, reject, list, show."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from registry.identity.roles import Principal
from registry.server.access import READ, Rule, requires
from registry.server.routers.util import store_for
from registry.server.schemas.common import (
    DEFAULT_LIMIT,
    ERRORS,
    Cursor,
    Limit,
    Page,
    cursor_as,
    page,
)
from registry.server.schemas.releases import (
    DecisionIn,
    IdPath,
    ReleaseBrief,
    ReleaseIn,
    ReleaseView,
)

router = APIRouter(tags=["releases"], responses=ERRORS)

REQUESTER = Rule("contributor", namespace="body_deployment:deployment")
APPROVER = Rule("approver", namespace="release:release_id")


@router.post("/releases", status_code=201, response_model=ReleaseView)
def request_release(
    *, body: ReleaseIn, request: Request, who: Annotated[Principal, Depends(requires(REQUESTER))]
) -> dict[str, Any]:
    """Check the deployment, freeze its evidence, and record a pending release."""
    return store_for(request, who).release_request(body.deployment, body.note)


@router.get("/releases", response_model=Page[ReleaseBrief])
def list_releases(
    *,
    request: Request,
    state: Annotated[str | None, Query(max_length=16)] = None,
    deployment: Annotated[str | None, Query(max_length=255)] = None,
    variant: Annotated[str | None, Query(max_length=255)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    """Releases, newest first, with their state."""
    items = store_for(request, who).releases(
        state=state,
        deployment=deployment,
        variant=variant,
        after=cursor_as(cursor, int),
        limit=limit + 1,
    )
    return page(items, limit, "id")


@router.get("/releases/{release_id}", response_model=ReleaseView)
def show_release(
    *, release_id: IdPath, request: Request, who: Annotated[Principal, Depends(requires(READ))]
) -> dict[str, Any]:
    """One release with its frozen evidence and what changed since."""
    return store_for(request, who).release_show(release_id)


@router.post("/releases/{release_id}/approve", response_model=ReleaseView)
def approve_release(
    *,
    release_id: IdPath,
    body: DecisionIn,
    request: Request,
    who: Annotated[Principal, Depends(requires(APPROVER))],
) -> dict[str, Any]:
    """Approve a pending release (not one's own request)."""
    return store_for(request, who).release_decide(release_id, True, body.reason)


@router.post("/releases/{release_id}/reject", response_model=ReleaseView)
def reject_release(
    *,
    release_id: IdPath,
    body: DecisionIn,
    request: Request,
    who: Annotated[Principal, Depends(requires(APPROVER))],
) -> dict[str, Any]:
    """Reject a pending release (not one's own request)."""
    return store_for(request, who).release_decide(release_id, False, body.reason)
