"""Who is writing: a user of the server (with token and request id) or an OS user.

A write transaction carries its actor in ``session.info["actor"]`` (set by
:meth:`registry.db.engine.Catalog.session`); the audit log and the ``created_by`` columns
read it from there. A direct database has no accounts: its actor is the OS user.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import Any

ACTOR_KEY = "actor"


def os_user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class Actor:
    """The author of a write as the audit trail records it."""

    name: str
    kind: str = "os"  # "user" (server account) or "os" (direct database)
    token_id: int | None = None
    request_id: str | None = None


def os_actor() -> Actor:
    return Actor(os_user_name(), "os")


def actor_of(session: Any) -> Actor:
    """The actor of a session's transaction (the OS user when none was set)."""
    actor = session.info.get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else os_actor()
