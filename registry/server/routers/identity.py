"""Who am I, users and roles, API tokens, and the audit trail."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from registry.audit.trail import AuditFilter, parse_since
from registry.identity.roles import Principal
from registry.server.access import READ, SIGNED_IN, Rule, requires
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
from registry.server.schemas.identity import (
    AuditEventOut,
    Me,
    RoleIn,
    TokenCreated,
    TokenIn,
    TokenView,
    TrailCheckOut,
    UserIn,
    UserView,
)

router = APIRouter(tags=["identity and audit"], responses=ERRORS)

# an admin of some scope; which grants they may make is the library's rule (check_grant)
ADMIN = Rule("admin", anywhere=True)


@router.get("/me", response_model=Me)
def whoami(
    *, request: Request, who: Annotated[Principal, Depends(requires(SIGNED_IN))]
) -> dict[str, Any]:
    return store_for(request, who).whoami()


@router.get("/users", response_model=Page[UserView])
def list_users(
    *,
    request: Request,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(ADMIN))],
) -> dict[str, Any]:
    items = store_for(request, who).users(after=cursor_as(cursor, str), limit=limit + 1)
    return page(items, limit, "name")


@router.post("/users", status_code=201, response_model=UserView)
def add_user(
    *, body: UserIn, request: Request, who: Annotated[Principal, Depends(requires(ADMIN))]
) -> dict[str, Any]:
    return store_for(request, who).user_add(body.name, role=body.role, namespace=body.namespace)


@router.get("/users/{name}", response_model=UserView)
def show_user(
    *,
    name: str,
    request: Request,
    response: Response,
    who: Annotated[Principal, Depends(requires(ADMIN))],
) -> Any:
    return tagged(request, response, store_for(request, who).user_show(name))


@router.put("/users/{name}/roles", response_model=UserView)
def grant_role(
    *,
    name: str,
    body: RoleIn,
    request: Request,
    who: Annotated[Principal, Depends(requires(ADMIN))],
) -> dict[str, Any]:
    """Give a role globally or in a namespace (never your own; only one you hold)."""
    return store_for(request, who).role_grant(
        name, body.role, namespace=body.namespace, if_match=if_match(request)
    )


@router.delete("/users/{name}/roles", response_model=UserView)
def revoke_role(
    *,
    name: str,
    request: Request,
    namespace: Annotated[str | None, Query(max_length=255)] = None,
    who: Annotated[Principal, Depends(requires(ADMIN))],
) -> dict[str, Any]:
    return store_for(request, who).role_revoke(
        name, namespace=namespace, if_match=if_match(request)
    )


@router.get("/tokens", response_model=Page[TokenView])
def list_tokens(
    *,
    request: Request,
    user: Annotated[str | None, Query(max_length=255)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(ADMIN))],
) -> dict[str, Any]:
    items = store_for(request, who).tokens(user=user, after=cursor_as(cursor, int), limit=limit + 1)
    return page(items, limit, "id")


@router.post("/tokens", status_code=201, response_model=TokenCreated)
def create_token(
    *, body: TokenIn, request: Request, who: Annotated[Principal, Depends(requires(SIGNED_IN))]
) -> dict[str, Any]:
    """A new token (yours, or anyone's for an admin); the secret is in this answer only."""
    view, secret = store_for(request, who).token_create(
        body.user, scopes=body.scopes, expires=body.expires, label=body.label
    )
    return {**view, "token": secret}


@router.delete("/tokens/{ref}", response_model=TokenView)
def revoke_token(
    *, ref: str, request: Request, who: Annotated[Principal, Depends(requires(SIGNED_IN))]
) -> dict[str, Any]:
    """Revoke a token by id or prefix (yours, or anyone's for an admin)."""
    return store_for(request, who).token_revoke(ref)


@router.get("/audit", response_model=Page[AuditEventOut])
def list_audit(
    *,
    request: Request,
    actor: Annotated[str | None, Query(max_length=255)] = None,
    target: Annotated[str | None, Query(max_length=4096)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    """Audit events, oldest first."""
    flt = AuditFilter(actor=actor, target=target, action=action, since=parse_since(since))
    items = store_for(request, who).audit(flt, after=cursor_as(cursor, int) or 0, limit=limit + 1)
    return page(items, limit, "seq")


@router.get("/audit/verify", response_model=TrailCheckOut)
def verify_audit(
    *,
    request: Request,
    expect_head: Annotated[str | None, Query(max_length=64)] = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    """Recompute the hash chain (``expect_head``: a head hash noted earlier)."""
    return store_for(request, who).audit_verify(expect_head)
