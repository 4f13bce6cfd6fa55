"""The server's background worker: webhook deliveries, stale releases, changed policies.

One daemon thread per server process. Every ``worker_interval_s`` it delivers what is due
in the outbox (:mod:`registry.webhooks.delivery`); every ``sweep_interval_s`` it reloads the
policy files (a server picks up an edited policy without a restart; a file that no longer
parses is logged and the policies in force are kept), records a change of their digests
(``policy.changed``) and records approved releases that turned stale (``release.stale``).
All of it is safe with several processes on one catalog (see the modules named). A
database that does not answer is logged and tried again on the next tick.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from registry.errors import ModelregError

if TYPE_CHECKING:
    from registry.server.state import ServerState

log = logging.getLogger("modelreg.server.worker")


class Worker:
    def __init__(self, state: ServerState) -> None:
        from registry.webhooks.delivery import DeliveryPolicy

        cfg = state.config
        self.state = state
        self.policy = DeliveryPolicy(
            allow_private=cfg.webhook_allow_private,
            max_attempts=cfg.webhook_max_attempts,
            backoff_base_s=cfg.webhook_backoff_s,
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_sweep = 0.0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="modelreg-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        import httpx

        with httpx.Client(timeout=self.policy.timeout_s, follow_redirects=False) as client:
            while not self._stop.is_set():
                self.tick(client)
                self._stop.wait(self.state.config.worker_interval_s)

    def tick(self, client: object) -> None:
        """One round: a sweep when it is due, then the due deliveries."""
        from registry.webhooks.delivery import deliver_due

        try:
            if time.monotonic() >= self._next_sweep:
                self.sweep()
                self._next_sweep = time.monotonic() + self.state.config.sweep_interval_s
            with self.state.conns.raw() as db:
                while deliver_due(db, self.policy, client) and not self._stop.is_set():
                    pass
        except ModelregError as exc:
            log.warning("worker: %s", exc.message)
        except Exception:
            log.exception("worker: unexpected error")

    def sweep(self) -> None:
        from registry.compliance.policies import load_policies
        from registry.releases.sweep import mark_stale, note_policies

        conns = self.state.conns
        try:
            fresh = load_policies([Path(p) for p in self.state.config.policy_dirs])
        except ModelregError as exc:
            log.warning("worker: policies not reloaded: %s", exc.message)
        else:
            if fresh.digests() != conns.policies().digests():
                conns.set_policies(fresh)
                self.state.policies = fresh
        with conns.raw() as db:
            note_policies(db, conns.policies())
            marked = mark_stale(db, conns.policies())
        if marked:
            log.info("worker: release(s) %s turned stale", ", ".join(f"#{i}" for i in marked))
