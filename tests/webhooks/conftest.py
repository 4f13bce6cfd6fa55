"""A local HTTP endpoint that receives webhooks, and a team server that delivers to it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.server.conftest import LiveServer, live_server, start_server, team

__all__ = ["live_server", "team"]

SECRET = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtMTIzNA=="  # base64 of 28 bytes


@dataclass
class Received:
    headers: dict[str, str]
    body: str

    @property
    def doc(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    url: str
    got: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses to answer first, then 204

    def wait_for(self, pred: Callable[[list[Received]], bool], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not pred(self.got):
            if time.monotonic() > deadline:
                raise AssertionError(f"webhooks not received; got {[r.body for r in self.got]}")
            time.sleep(0.05)

    def of(self, event: str) -> list[Received]:
        return [r for r in self.got if r.doc["type"] == event]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    recv = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            size = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(size).decode()
            recv.got.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            status = recv.answers.pop(0) if recv.answers else 204
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    recv.url = f"http://127.0.0.1:{httpd.server_address[1]}/hooks"
    try:
        yield recv
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def hook_server(db_url: str, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """A team server that may deliver to loopback, with a fast worker and short backoff."""
    from registry.server.app import create_app
    from registry.server.config import ServerConfig

    options = {
        "failed_auth_limit": 10_000,
        "webhook_allow_private": True,
        "worker_interval_s": 0.05,
        "sweep_interval_s": 0.2,
        "webhook_backoff_s": 0.05,
        "webhook_max_attempts": 3,
        **(getattr(request, "param", {}) or {}),
    }
    app = create_app(ServerConfig(database_url=db_url, **options))
    url, server, thread = start_server(app)
    live = LiveServer(url, db_url)
    for role in ("admin", "approver", "contributor"):
        live.add_user(role, role)
    try:
        yield live
    finally:
        live.close()
        server.should_exit = True
        thread.join(timeout=30)
