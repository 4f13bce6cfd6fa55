"""The audit page: events newest first, filtered by actor, target, action and date."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from registry.audit.trail import AuditFilter, list_events, parse_since

if TYPE_CHECKING:
    from registry.store.connections import Connections

PAGE = 50


def audit_page(
    conns: Connections,
    *,
    actor: str = "",
    target: str = "",
    action: str = "",
    since: str = "",
    before: int = 0,
) -> dict[str, Any]:
    """``{"items": [...], "next": seq or None}``: events below ``before`` (0: the newest)."""
    flt = AuditFilter(
        actor=actor or None,
        target=target or None,
        action=action or None,
        since=parse_since(since or None),
    )
    with conns.catalog().session() as s:
        rows = list_events(s, flt, before=max(before, 0), limit=PAGE + 1)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return {"items": rows, "next": rows[-1]["seq"] if more and rows else None}
