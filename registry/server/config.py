"""What a server process needs to know, passed to each uvicorn worker through the environment."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Any

ENV_CONFIG = "MODELREG_SERVE_CONFIG"
MIB = 1 << 20


@dataclass(frozen=True)
class ServerConfig:
    database_url: str
    policy_dirs: list[str] = field(default_factory=list)
    max_body_bytes: int = 16 * MIB
    failed_auth_limit: int = 10  # failed authentications per client ...
    failed_auth_window_s: int = 60  # ... in this many seconds, then 429
    pool_size: int = 8  # PostgreSQL connections per worker (and as many again on demand)
    cors_origins: list[str] = field(default_factory=list)  # none: cross-origin calls refused
    signing: dict[str, Any] | None = None  # the config file's [signing] table, if any
    signing_source: str = ""  # where it came from, for the findings' clause
    release: dict[str, Any] | None = None  # the config file's [release] rules (to_dict form)
    webhook_allow_private: bool = False  # deliver to private, loopback, link-local targets
    oidc: dict[str, Any] | None = None  # the config file's [server.oidc] table (to_dict form)
    oidc_source: str = ""  # where it came from, for error messages
    webhook_max_attempts: int = 8
    webhook_backoff_s: float = 5.0  # first retry after this, then doubling (at most 1 h)
    worker: bool = True  # the background worker: webhook deliveries, staleness, policies
    worker_interval_s: float = 1.0  # how often due deliveries are looked for
    sweep_interval_s: float = 60.0  # how often releases and policy files are re-examined

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServerConfig:
        raw = os.environ.get(ENV_CONFIG)
        if not raw:
            raise RuntimeError(f"{ENV_CONFIG} is not set: start the server with `modelreg serve`")
        return cls(**json.loads(raw))
