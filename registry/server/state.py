"""What one server process holds: the pooled connections, the policies, the auth limiter."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request

from registry.compliance.policies import load_policies
from registry.db.engine import make_engine, normalise_url
from registry.errors import RateLimitedError
from registry.identity.roles import Principal
from registry.server.config import ServerConfig
from registry.store.connections import PooledConnections
from registry.store.local import LocalStore

if TYPE_CHECKING:
    from registry.identity.oidc import OidcClient


@dataclass
class FailedAuthLimiter:
    """At most ``limit`` failed authentications per client in ``window`` seconds (per process:
    with several workers a client gets that many per worker)."""

    limit: int
    window: int
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, client: str, now: float) -> deque[float]:
        q = self._failures.setdefault(client, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def check(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            q = self._recent(client, now)
            if len(q) >= self.limit:
                wait = max(1, int(q[0] + self.window - now) + 1)
                raise RateLimitedError(
                    f"too many failed authentications from {client}; try again in {wait} s",
                    retry_after=wait,
                )

    def fail(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(client, now).append(now)
            if len(self._failures) > 10_000:  # forget clients that stopped failing
                for key in [k for k, q in self._failures.items() if not q]:
                    del self._failures[key]


class ServerState:
    def __init__(self, config: ServerConfig) -> None:
        from pathlib import Path

        url = normalise_url(config.database_url)
        self.config = config
        self.engine = make_engine(url, pool_size=config.pool_size)
        self.policies = load_policies([Path(p) for p in config.policy_dirs])
        signing = None
        if config.signing is not None:
            from registry.signing.trust import parse_trust

            where = config.signing_source
            signing = (parse_trust(config.signing, where), where)
        from registry.releases.rules import rules_from_dict
        from registry.webhooks.targets import ServerOptions

        self.conns = PooledConnections(
            self.engine,
            url,
            self.policies,
            signing,
            rules_from_dict(config.release),
            ServerOptions(config.webhook_allow_private, "server setting"),
        )
        self.limiter = FailedAuthLimiter(config.failed_auth_limit, config.failed_auth_window_s)
        self.oidc = None if config.oidc is None else oidc_client(config.oidc, config.oidc_source)

    def store(self, principal: Principal | None, request_id: str | None) -> LocalStore:
        """The library for one request, acting as its user (checks use recorded evidence)."""
        actor = principal.actor(request_id) if principal is not None else None
        return LocalStore(self.conns, actor=actor, principal=principal, local_evidence=False)

    def close(self) -> None:
        self.engine.dispose()
        if self.oidc is not None:
            self.oidc.close()


def oidc_client(table: dict[str, Any], where: str) -> OidcClient:
    """The OpenID Connect client of ``[server.oidc]`` (its secret file read now)."""
    from registry.identity.oidc import OidcClient
    from registry.identity.oidc_config import parse_oidc_table, read_client_secret

    settings = parse_oidc_table(table, where)
    return OidcClient(settings, read_client_secret(settings))


def server_state(request: Request) -> ServerState:
    state = request.app.state.server
    assert isinstance(state, ServerState)
    return state
