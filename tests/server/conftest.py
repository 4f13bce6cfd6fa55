"""A real uvicorn server on 127.0.0.1 (a free port) over the test's catalog, and its users.

``live_server`` runs the app in a thread of the test process (uvicorn's own server loop on a
socket bound to port 0); ``team`` adds a user per role with a token, straight on the
database as an operator would (``modelreg admin``).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.conftest import Cli

ROLES = ("viewer", "contributor", "approver", "admin")


@dataclass
class LiveServer:
    url: str
    db_url: str
    tokens: dict[str, str] = field(default_factory=dict)  # user name -> token
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, user: str | None = None, **headers: str) -> httpx.Client:
        """An HTTP client as ``user`` (None: no token); closed when the test ends."""
        h = dict(headers)
        if user is not None:
            h["Authorization"] = f"Bearer {self.tokens[user]}"
        client = httpx.Client(base_url=self.url, headers=h, timeout=60)
        self.clients.append(client)
        return client

    def close(self) -> None:
        for c in self.clients:
            c.close()

    def add_user(self, name: str, role: str, namespace: str | None = None) -> str:
        cli = Cli(self.db_url)
        args = ["admin", "user", "add", name, "--role", role]
        if namespace:
            args += ["--namespace", namespace]
        res = cli(*args)
        assert res.exit_code == 0, res.stderr
        return self.add_token(name)

    def add_token(self, name: str, *extra: str) -> str:
        res = Cli(self.db_url)("admin", "token", "create", name, *extra)
        assert res.exit_code == 0, res.stderr
        self.tokens[name] = res.stdout.strip()
        return self.tokens[name]


def start_server(app: Any) -> tuple[str, Any, threading.Thread]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, thread


@pytest.fixture
def live_server(db_url: str, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    from registry.server.app import create_app
    from registry.server.config import ServerConfig

    # every test client is 127.0.0.1: a generous failed-auth budget unless a test sets one
    options = {"failed_auth_limit": 10_000, **(getattr(request, "param", {}) or {})}
    app = create_app(ServerConfig(database_url=db_url, **options))
    url, server, thread = start_server(app)
    live = LiveServer(url, db_url)
    try:
        yield live
    finally:
        live.close()
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def team(live_server: LiveServer) -> LiveServer:
    """One user per role, each with a global role and a token."""
    for role in ROLES:
        live_server.add_user(role, role)
    return live_server
