"""Releases and webhooks as store operations: the protocol, and its database implementation.

:class:`ReleaseStore` is part of :class:`~registry.store.interface.Store`;
:class:`LocalReleaseOps` implements it for :class:`~registry.store.local.LocalStore` (the
CLI on a database, and the server itself); :class:`~registry.store.remote.RemoteStore`
implements it over the API (:mod:`registry.store.remote_releases`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from registry.audit.actor import Actor
    from registry.identity.roles import Principal
    from registry.store.connections import Connections


class ReleaseStore(Protocol):
    def release_request(self, deployment: str, note: str | None) -> dict[str, Any]: ...

    def release_decide(self, release_id: int, approve: bool, reason: str) -> dict[str, Any]: ...

    def releases(
        self,
        *,
        state: str | None = None,
        deployment: str | None = None,
        variant: str | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]: ...

    def release_show(self, release_id: int) -> dict[str, Any]: ...

    def webhook_add(self, url: str, events: list[str], secret: str) -> dict[str, Any]: ...

    def webhooks(
        self, *, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]: ...

    def webhook_rm(self, hook_id: int) -> None: ...

    def deliveries(
        self,
        *,
        webhook: int | None = None,
        status: str | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]: ...

    def delivery_replay(self, delivery_id: int) -> dict[str, Any]: ...


class LocalReleaseOps:
    """The release and webhook operations of :class:`~registry.store.local.LocalStore`."""

    conns: Connections
    actor: Actor
    principal: Principal | None
    local_evidence: bool

    def _write(self) -> Any:
        raise NotImplementedError

    def _read(self) -> Any:
        raise NotImplementedError

    def release_request(self, deployment: str, note: str | None) -> dict[str, Any]:
        from registry.releases.workflow import request

        with self.conns.raw() as db:
            return request(
                db,
                self.conns.policies(),
                self.conns.release_rules(),
                deployment,
                note,
                self.actor,
                self.principal,
                local_evidence=self.local_evidence,
                signing=self.conns.signing(),
            )

    def release_decide(self, release_id: int, approve: bool, reason: str) -> dict[str, Any]:
        from registry.releases.workflow import decide

        with self.conns.raw() as db:
            return decide(
                db, self.conns.policies(), release_id, approve, reason, self.actor, self.principal
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
        from registry.releases.workflow import listing

        with self.conns.raw() as db:
            return listing(
                db,
                self.conns.policies(),
                state=state,
                deployment=deployment,
                variant=variant,
                after=after,
                limit=limit,
            )

    def release_show(self, release_id: int) -> dict[str, Any]:
        from registry.releases.workflow import show

        with self.conns.raw() as db:
            return show(db, self.conns.policies(), release_id)

    def webhook_add(self, url: str, events: list[str], secret: str) -> dict[str, Any]:
        from registry.webhooks.subscriptions import add_webhook

        allow = self.conns.server_options().webhook_allow_private
        with self._write() as s:
            return add_webhook(
                s, url, events, secret, allow_private=allow, principal=self.principal
            )

    def webhooks(
        self, *, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        from registry.webhooks.subscriptions import list_webhooks

        with self._read() as s:
            return list_webhooks(s, principal=self.principal, after=after, limit=limit)

    def webhook_rm(self, hook_id: int) -> None:
        from registry.webhooks.subscriptions import remove_webhook

        with self._write() as s:
            remove_webhook(s, hook_id, principal=self.principal)

    def deliveries(
        self,
        *,
        webhook: int | None = None,
        status: str | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        from registry.webhooks.subscriptions import list_deliveries

        with self._read() as s:
            return list_deliveries(
                s,
                principal=self.principal,
                webhook=webhook,
                status=status,
                after=after,
                limit=limit,
            )

    def delivery_replay(self, delivery_id: int) -> dict[str, Any]:
        from registry.webhooks.subscriptions import replay_delivery

        with self._write() as s:
            return replay_delivery(s, delivery_id, principal=self.principal)
