"""Users, roles, tokens and the audit trail."""

from typing import Any

from pydantic import BaseModel, Field

from registry.server.schemas.common import Strict


class RoleView(BaseModel):
    role: str
    namespace: str | None


class Me(BaseModel):
    name: str
    kind: str
    roles: list[RoleView] | None
    scopes: list[str] | None
    token_id: int | None = None


class UserIn(Strict):
    name: str = Field(min_length=1, max_length=255)
    role: str = Field(max_length=16)
    namespace: str | None = Field(None, max_length=255)


class RoleIn(Strict):
    role: str = Field(max_length=16)
    namespace: str | None = Field(None, max_length=255)


class UserView(BaseModel):
    name: str
    roles: list[RoleView]
    tokens: int
    created_at: str
    created_by: str | None


class TokenIn(Strict):
    user: str = Field(min_length=1, max_length=255)
    scopes: list[str] | None = Field(None, max_length=8)
    expires: str | None = Field(None, max_length=64, description="90d, 12h, 2w, a date, never")
    label: str | None = Field(None, max_length=255)


class TokenView(BaseModel):
    id: int
    user: str
    label: str | None
    prefix: str
    scopes: list[str]
    created_at: str
    created_by: str | None
    expires_at: str | None
    last_used_at: str | None
    revoked_at: str | None
    state: str


class TokenCreated(TokenView):
    token: str = Field(description="The secret: shown in this answer only, stored as SHA-256.")


class AuditEventOut(BaseModel):
    seq: int
    at: str
    actor: str
    actor_kind: str
    token_id: int | None
    request_id: str | None
    action: str
    target: str
    before: Any
    after: Any
    prev_hash: str
    hash: str


class TrailCheckOut(BaseModel):
    ok: bool
    events: int
    head_seq: int
    head_hash: str
    broken_seq: int | None
    problem: str | None


class Health(BaseModel):
    status: str
    revision: str | None = None
