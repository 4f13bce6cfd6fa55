"""Releases and webhooks over the team server's API (the remote half of
:class:`~registry.store.release_ops.ReleaseStore`)."""

from __future__ import annotations

from typing import Any

from registry.catalog.paging import encode_cursor
from registry.store.http import ApiClient


class RemoteReleaseOps:
    api: ApiClient

    def _pages(self, path: str, after: int | None, limit: int | None, **params: Any) -> list[Any]:
        cursor = None if after is None else encode_cursor(after)
        return list(self.api.pages(path, limit=limit, cursor=cursor, **params))

    def release_request(self, deployment: str, note: str | None) -> dict[str, Any]:
        body = {"deployment": deployment, "note": note}
        return dict(self.api.request("POST", "/releases", json=body))

    def release_decide(self, release_id: int, approve: bool, reason: str) -> dict[str, Any]:
        verb = "approve" if approve else "reject"
        return dict(
            self.api.request("POST", f"/releases/{release_id}/{verb}", json={"reason": reason})
        )

    def releases(
        self,
        *,
        state: str | None = None,
        deployment: str | None = None,
        variant: str | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        return self._pages(
            "/releases", after, limit, state=state, deployment=deployment, variant=variant
        )

    def release_show(self, release_id: int) -> dict[str, Any]:
        return dict(self.api.get(f"/releases/{release_id}"))

    def webhook_add(self, url: str, events: list[str], secret: str) -> dict[str, Any]:
        body = {"url": url, "events": events, "secret": secret}
        return dict(self.api.request("POST", "/webhooks", json=body))

    def webhooks(
        self, *, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return self._pages("/webhooks", after, limit)

    def webhook_rm(self, hook_id: int) -> None:
        self.api.request("DELETE", f"/webhooks/{hook_id}")

    def deliveries(
        self,
        *,
        webhook: int | None = None,
        status: str | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        return self._pages("/webhook-deliveries", after, limit, webhook=webhook, status=status)

    def delivery_replay(self, delivery_id: int) -> dict[str, Any]:
        return dict(self.api.request("POST", f"/webhook-deliveries/{delivery_id}/replay"))
