"""Adding, listing and removing webhooks; listing and replaying their deliveries.

All of it is for admins (an endpoint's URL and its delivery log say where the catalog's
news goes). Adding, removing and replaying are audited (``webhook.add``, ``webhook.rm``,
``webhook.replay``); the secret is never returned or audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.audit.actor import actor_of
from registry.audit.chain import iso
from registry.audit.log import record
from registry.db.base import utcnow
from registry.db.models import DELIVERY_STATUSES, Webhook, WebhookDelivery
from registry.errors import InvalidInputError, NotFoundError
from registry.webhooks.events import EVENTS
from registry.webhooks.signing import secret_key
from registry.webhooks.targets import check_target

if TYPE_CHECKING:
    from registry.identity.roles import Principal

MAX_PAGE = 1000


def parse_events(events: list[str] | str) -> list[str]:
    words = events.split(",") if isinstance(events, str) else events
    out = []
    for w in words:
        for part in str(w).split(","):
            e = part.strip()
            if not e:
                continue
            if e not in EVENTS:
                raise InvalidInputError(f"unknown event {e!r}; use {', '.join(EVENTS)}")
            if e not in out:
                out.append(e)
    if not out:
        raise InvalidInputError(f"--events needs at least one of {', '.join(EVENTS)}")
    return out


def _admin(principal: Principal | None) -> None:
    if principal is not None:
        principal.require("admin")


def _view(hook: Webhook, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": hook.id,
        "url": hook.url,
        "events": list(hook.events),
        "created_at": iso(hook.created_at),
        "created_by": hook.created_by,
        "deliveries": {s: counts.get(s, 0) for s in DELIVERY_STATUSES},
    }


def add_webhook(
    session: Session,
    url: str,
    events: list[str] | str,
    secret: str,
    *,
    allow_private: bool,
    principal: Principal | None,
) -> dict[str, Any]:
    _admin(principal)
    chosen = parse_events(events)
    secret_key(secret)  # long enough, and decodable
    target = check_target(url, allow_private)
    hook = Webhook(
        url=target, events=chosen, secret=secret.strip(), created_by=actor_of(session).name
    )
    session.add(hook)
    session.flush()
    record(session, "webhook.add", target, after={"id": hook.id, "events": chosen})
    return _view(hook, {})


def _counts(session: Session) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    rows = session.execute(
        select(WebhookDelivery.webhook_id, WebhookDelivery.status, func.count()).group_by(
            WebhookDelivery.webhook_id, WebhookDelivery.status
        )
    )
    for hook_id, status, n in rows:
        out.setdefault(int(hook_id), {})[str(status)] = int(n)
    return out


def list_webhooks(
    session: Session,
    *,
    principal: Principal | None,
    after: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    _admin(principal)
    stmt = select(Webhook).order_by(Webhook.id)
    if after is not None:
        stmt = stmt.where(Webhook.id > after)
    if limit is not None:
        stmt = stmt.limit(limit)
    counts = _counts(session)
    return [_view(h, counts.get(h.id, {})) for h in session.scalars(stmt)]


def _hook(session: Session, hook_id: int) -> Webhook:
    hook = session.get(Webhook, hook_id)
    if hook is None:
        raise NotFoundError(f"no webhook #{hook_id}", hint="`modelreg webhook list` shows them")
    return hook


def remove_webhook(session: Session, hook_id: int, *, principal: Principal | None) -> None:
    _admin(principal)
    hook = _hook(session, hook_id)
    before = {"id": hook.id, "events": list(hook.events)}
    url = hook.url
    session.delete(hook)
    session.flush()
    record(session, "webhook.rm", url, before=before)


def _delivery_view(d: WebhookDelivery, payload: bool = False) -> dict[str, Any]:
    def ts(v: Any) -> str | None:
        return None if v is None else iso(v)

    out = {
        "id": d.id,
        "webhook": d.webhook_id,
        "message_id": d.message_id,
        "event": d.event,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": ts(d.next_attempt_at) if d.status == "pending" else None,
        "last_attempt_at": ts(d.last_attempt_at),
        "last_status": d.last_status,
        "last_error": d.last_error,
        "delivered_at": ts(d.delivered_at),
        "created_at": ts(d.created_at),
        "attempt_log": list(d.attempt_log),
    }
    if payload:
        out["payload"] = d.payload
    return out


def list_deliveries(
    session: Session,
    *,
    principal: Principal | None,
    webhook: int | None = None,
    status: str | None = None,
    after: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Deliveries, newest first (``after``: ids below it, for paging)."""
    _admin(principal)
    stmt = select(WebhookDelivery).order_by(WebhookDelivery.id.desc())
    if webhook is not None:
        _hook(session, webhook)
        stmt = stmt.where(WebhookDelivery.webhook_id == webhook)
    if status is not None:
        if status not in DELIVERY_STATUSES:
            raise InvalidInputError(
                f"unknown delivery status {status!r}; use {', '.join(DELIVERY_STATUSES)}"
            )
        stmt = stmt.where(WebhookDelivery.status == status)
    if after is not None:
        stmt = stmt.where(WebhookDelivery.id < after)
    if limit is not None:
        if not 1 <= limit <= MAX_PAGE + 1:
            raise InvalidInputError(f"limit must be between 1 and {MAX_PAGE}")
        stmt = stmt.limit(limit)
    return [_delivery_view(d) for d in session.scalars(stmt)]


def replay_delivery(
    session: Session, delivery_id: int, *, principal: Principal | None
) -> dict[str, Any]:
    """Send a delivery again (same message id and body), with a fresh set of attempts."""
    _admin(principal)
    d = session.get(WebhookDelivery, delivery_id)
    if d is None:
        raise NotFoundError(f"no delivery #{delivery_id}")
    before = {"status": d.status, "attempts": d.attempts}
    d.status = "pending"
    d.attempts = 0
    d.next_attempt_at = utcnow()
    d.delivered_at = None
    session.flush()
    record(
        session,
        "webhook.replay",
        str(d.message_id),
        before=before,
        after={"id": d.id, "webhook": d.webhook_id, "event": d.event},
    )
    return _delivery_view(d)
