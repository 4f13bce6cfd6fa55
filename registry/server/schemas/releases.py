"""Releases and webhooks."""

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel, Field

from registry.server.schemas.common import Strict

MAX_ID = 2**31 - 1  # the id columns are 32-bit integers
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


class ReleaseIn(Strict):
    deployment: str = Field(min_length=1, max_length=255)
    note: str | None = Field(None, max_length=4000)


class DecisionIn(Strict):
    reason: str = Field(min_length=1, max_length=4000)


class Cause(BaseModel):
    kind: str
    what: str


class ReleaseBrief(BaseModel):
    id: int
    deployment: str
    variant: str
    namespace: str | None
    org: str
    status: str = Field(description="pending, approved or rejected, as decided")
    state: str = Field(description="the status, or stale for an approved release that is")
    verdict: str
    note: str | None
    evidence_sha256: str
    requested_by: str
    requested_at: str | None
    decided_by: str | None
    decided_at: str | None
    reason: str | None
    stale_at: str | None = Field(description="when the server first recorded it stale")
    stale_causes: list[Cause]
    causes: list[Cause] = Field(
        description="what differs from the evidence now (a pending release's: in its own "
        "document only)"
    )


class ReleaseView(ReleaseBrief):
    evidence: dict[str, Any]


class WebhookIn(Strict):
    url: str = Field(min_length=1, max_length=2048)
    events: list[str] = Field(min_length=1, max_length=16)
    secret: str = Field(min_length=1, max_length=1024)


class WebhookView(BaseModel):
    id: int
    url: str
    events: list[str]
    created_at: str
    created_by: str | None
    deliveries: dict[str, int]


class DeliveryView(BaseModel):
    id: int
    webhook: int
    message_id: str
    event: str
    status: str
    attempts: int
    next_attempt_at: str | None
    last_attempt_at: str | None
    last_status: int | None
    last_error: str | None
    delivered_at: str | None
    created_at: str | None
    attempt_log: list[dict[str, Any]]
