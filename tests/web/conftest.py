"""A team server with a catalog worth looking at, and signed-in HTTP clients of its pages.

``site`` builds, on the test's database: the compliant deployment of the release tests
(``acme/chat`` as ``chat-prod``), a laundering fine-tune (``acme/chat-mit``, MIT over Llama
2) with an unresolved parent, a variant whose name, license text and model card are
hostile (script tags, ``javascript:`` links), MAU for the family, and a user per role.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.builders import write_checkpoint
from tests.conftest import Cli
from tests.releases.conftest import build_deployment, ok
from tests.server.conftest import LiveServer, start_server

HOSTILE = "x/javascript:alert(1)"
HOSTILE_CARD = """---
license: other
license_name: "<script>window.pwned_license=1</script>"
---

# Card <script>window.pwned_card=1</script>

[click me](javascript:window.pwned_link=1) and [data](data:text/html,<script>alert(1)</script>)
<img src=x onerror="window.pwned_img=1"> [fine](https://example.org/ok)

<a href="javascript:window.pwned_a=1">raw anchor</a>
"""


@dataclass
class Site:
    server: LiveServer
    root: Path

    @property
    def url(self) -> str:
        return self.server.url

    def browser_client(self, user: str | None = None) -> httpx.Client:
        """An HTTP client with cookies, signed in as ``user`` through the login form."""
        client = httpx.Client(base_url=self.url, timeout=60, follow_redirects=False)
        self.server.clients.append(client)
        if user is not None:
            login(client, self.server.tokens[user])
        return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def login(client: httpx.Client, token: str) -> httpx.Response:
    form = client.get("/login")
    assert form.status_code == 200
    res = client.post("/login", data={"csrf": csrf_of(form.text), "token": token, "next": "/"})
    assert res.status_code == 303, res.text
    return res


def build_site(cli: Cli, root: Path) -> None:
    build_deployment(cli, root)
    laundering = write_checkpoint(
        root / "mit",
        seed=2,
        card={"license": "mit", "base_model": ["acme/chat", "someone/unregistered-base"]},
    )
    ok(cli("add", laundering, "--name", "acme/chat-mit"))
    hostile = write_checkpoint(root / "hostile", seed=3)
    (hostile / "README.md").write_text(HOSTILE_CARD)
    ok(cli("add", hostile, "--name", HOSTILE))
    ok(cli("org", "add", "acme-parent", "--country", "US"))
    ok(cli("org", "set", "acme", "--parent", "acme-parent"))
    for month, users in (("2023-05", 900_000), ("2024-03", 2_000_000), ("2024-06", 750_000_000)):
        ok(cli("org", "mau", "acme-parent", "--month", month, "--users", str(users)))


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Iterator[Site]:
    from registry.server.app import create_app
    from registry.server.config import ServerConfig

    cli = Cli(db_url)
    build_site(cli, tmp_path / "models")
    app = create_app(ServerConfig(database_url=db_url, failed_auth_limit=10_000, worker=False))
    url, server, thread = start_server(app)
    live = LiveServer(url, db_url)
    for role in ("viewer", "contributor", "approver", "admin"):
        live.add_user(role, role)
    try:
        yield Site(live, tmp_path / "models")
    finally:
        live.close()
        server.should_exit = True
        thread.join(timeout=30)
