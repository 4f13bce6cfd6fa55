"""Webhooks and their delivery log (admins)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from registry.identity.roles import Principal
from registry.server.access import Rule, requires
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
    DeliveryView,
    IdPath,
    IdQuery,
    WebhookIn,
    WebhookView,
)

router = APIRouter(tags=["webhooks"], responses=ERRORS)

ADMIN = Rule("admin")


@router.get("/webhooks", response_model=Page[WebhookView])
def list_webhooks(
    *,
    request: Request,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(ADMIN))],
) -> dict[str, Any]:
    items = store_for(request, who).webhooks(after=cursor_as(cursor, int), limit=limit + 1)
    return page(items, limit, "id")


@router.post("/webhooks", status_code=201, response_model=WebhookView)
def add_webhook(
    *, body: WebhookIn, request: Request, who: Annotated[Principal, Depends(requires(ADMIN))]
) -> dict[str, Any]:
    """Subscribe an endpoint to events; private targets are refused unless allowed."""
    return store_for(request, who).webhook_add(body.url, body.events, body.secret)


@router.delete("/webhooks/{hook_id}", status_code=204)
def remove_webhook(
    *, hook_id: IdPath, request: Request, who: Annotated[Principal, Depends(requires(ADMIN))]
) -> Response:
    store_for(request, who).webhook_rm(hook_id)
    return Response(status_code=204)


@router.get("/webhook-deliveries", response_model=Page[DeliveryView])
def list_deliveries(
    *,
    request: Request,
    webhook: IdQuery = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(ADMIN))],
) -> dict[str, Any]:
    """Deliveries, newest first, each with its attempts."""
    items = store_for(request, who).deliveries(
        webhook=webhook, status=status, after=cursor_as(cursor, int), limit=limit + 1
    )
    return page(items, limit, "id")


@router.post("/webhook-deliveries/{delivery_id}/replay", response_model=DeliveryView)
def replay_delivery(
    *, delivery_id: IdPath, request: Request, who: Annotated[Principal, Depends(requires(ADMIN))]
) -> dict[str, Any]:
    """Queue a delivery again with the same message id and body."""
    return store_for(request, who).delivery_replay(delivery_id)
