"""OpenID Connect sign-in through the real server over loopback, with a real fake provider.

Every refusal is the login page with one line and a 4xx status, and writes nothing: no
session row, no session cookie, no audit event.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from registry.db.engine import make_engine, normalise_url
from tests.conftest import Cli
from tests.identity.fake_idp import CLIENT_ID, CLIENT_SECRET, FakeIdP
from tests.server.conftest import LiveServer, start_server


@dataclass
class OidcSite:
    server: LiveServer
    idp: FakeIdP

    @property
    def url(self) -> str:
        return self.server.url

    def browser(self) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)
        self.server.clients.append(client)
        return client

    def db(self, sql: str) -> list[tuple[object, ...]]:
        from sqlalchemy import text

        engine = make_engine(normalise_url(self.server.db_url))
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(text(sql))]
        finally:
            engine.dispose()


def oidc_table(issuer: str, tmp_path: Path) -> dict[str, object]:
    secret = tmp_path / "oidc-secret"
    secret.write_text(CLIENT_SECRET + "\n")
    return {"issuer": issuer, "client_id": CLIENT_ID, "client_secret_file": str(secret)}


def serve(db_url: str, oidc: dict[str, object] | None) -> tuple[LiveServer, object, object]:
    from registry.server.app import create_app
    from registry.server.config import ServerConfig

    config = ServerConfig(
        database_url=db_url, failed_auth_limit=10_000, worker=False, oidc=oidc, oidc_source="test"
    )
    url, server, thread = start_server(create_app(config))
    return LiveServer(url, db_url), server, thread


def oidc_site(db_url: str, tmp_path: Path, host: str = "127.0.0.1") -> Iterator[OidcSite]:
    idp = FakeIdP(host).start()
    live, server, thread = serve(db_url, oidc_table(idp.issuer, tmp_path))
    live.add_user("alice", "viewer")
    live.add_user("carol", "approver", "acme")
    try:
        yield OidcSite(live, idp)
    finally:
        live.close()
        server.should_exit = True  # type: ignore[attr-defined]
        thread.join(timeout=30)  # type: ignore[attr-defined]
        idp.stop()


@pytest.fixture
def osite(db_url: str, tmp_path: Path) -> Iterator[OidcSite]:
    yield from oidc_site(db_url, tmp_path)


def start(client: httpx.Client, site: OidcSite, next_path: str = "/") -> str:
    """Click "Sign in with ...", pass the provider: the callback URL it sends us back to."""
    page = client.get("/login")
    assert page.status_code == 200
    link = re.search(r'href="(/login/oidc\?[^"]+)">Sign in with ([^<]+)<', page.text)
    assert link and link.group(2) == f"127.0.0.1:{site.idp.port}"
    res = client.get("/login/oidc", params={"next": next_path})
    assert res.status_code == 303
    cookie = res.headers["set-cookie"]
    assert "modelreg_oidc=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/login/oidc" in cookie
    at_idp = client.get(res.headers["location"])  # the provider signs in at once
    assert at_idp.status_code == 302
    back = at_idp.headers["location"]
    assert back.startswith(site.url + "/login/oidc/callback?")
    return back


def test_sign_in_opens_a_tokenless_session(osite: OidcSite) -> None:
    audit_before = osite.db("SELECT COUNT(*) FROM audit_events")[0][0]
    client = osite.browser()
    done = client.get(start(client, osite, "/releases"))
    assert done.status_code == 200, done.text
    assert '<meta http-equiv="refresh" content="0; url=/releases">' in done.text
    cookie = done.headers.get_list("set-cookie")
    session = next(c for c in cookie if c.startswith("modelreg_session="))
    assert "HttpOnly" in session and "SameSite=strict" in session
    assert done.headers["referrer-policy"] == "no-referrer"
    page = client.get("/releases")
    assert page.status_code == 200 and "signed in as <strong>alice</strong>" in page.text
    rows = osite.db("SELECT via, token_id, created_at, expires_at FROM web_sessions")
    assert len(rows) == 1 and rows[0][:2] == ("oidc", None)
    created, expires = (v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(str(v))
                        for v in rows[0][2:])  # fmt: skip
    assert dt.timedelta(hours=11) < expires - created <= dt.timedelta(hours=12, seconds=5)
    # token logins are not audited (sessions are bookkeeping); neither is this one
    assert osite.db("SELECT COUNT(*) FROM audit_events")[0][0] == audit_before
    # what is done in the session is authorised by the user's roles, read at every request
    assert Cli(osite.server.db_url)("admin", "user", "revoke", "alice").exit_code == 0
    assert client.get("/releases").status_code == 403
    out = client.post("/logout", data={"csrf": "x"})
    assert out.status_code == 403  # still CSRF-checked


def refused(client: httpx.Client, url: str, message: str, site: OidcSite) -> None:
    res = client.get(url)
    assert res.status_code == 401, res.text
    assert message in res.text.replace("&#39;", "'")
    assert "Traceback" not in res.text and "modelreg_session=" not in str(res.headers)
    assert site.db("SELECT COUNT(*) FROM web_sessions")[0][0] == 0
    assert client.get("/").status_code == 303  # still not signed in


def test_unknown_user_and_user_without_role_are_refused(osite: OidcSite) -> None:
    client = osite.browser()
    osite.idp.user = "mallory"
    refused(client, start(client, osite), "no modelreg user of that name", osite)
    assert Cli(osite.server.db_url)("admin", "user", "revoke", "carol", "--namespace",
                                    "acme").exit_code == 0  # fmt: skip
    osite.idp.user = "carol"
    refused(client, start(client, osite), "user 'carol' holds no role", osite)


def test_provider_errors_and_forgeries_are_refused(osite: OidcSite) -> None:
    client = osite.browser()
    osite.idp.error = "access_denied"
    refused(client, start(client, osite), "did not sign you in: access_denied", osite)
    osite.idp.error = None
    back = start(client, osite)
    forged = back.replace("state=", "state=x")
    refused(client, forged, "wrong state", osite)
    osite.idp.overrides = {"exp": 1_000_000, "iat": 999_000}
    refused(client, start(client, osite), "has expired", osite)
    osite.idp.overrides = {"nonce": "other"}
    refused(client, start(client, osite), "nonce does not match", osite)
    osite.idp.overrides, osite.idp.alg = {}, "none"
    refused(client, start(client, osite), "algorithm 'none' is refused", osite)
    osite.idp.alg = "RS256"
    stranger = osite.browser()  # the callback in a browser that did not start the sign-in
    refused(stranger, start(client, osite), "not started in this browser", osite)


def test_provider_down_and_not_configured(db_url: str, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    for oidc in (oidc_table(dead, tmp_path), None):
        live, server, thread = serve(db_url, oidc)
        try:
            client = httpx.Client(base_url=live.url, timeout=30)
            live.clients.append(client)
            res = client.get("/login/oidc")
            if oidc is None:
                assert res.status_code == 404 and "not configured" in res.text
                assert "Sign in with" not in client.get("/login").text
            else:
                assert res.status_code == 401 and "could not be reached (discovery)" in res.text
                assert 'name="token"' in res.text  # the token form is still there
        finally:
            live.close()
            server.should_exit = True  # type: ignore[attr-defined]
            thread.join(timeout=30)  # type: ignore[attr-defined]


def test_callback_query_is_checked_without_the_provider(osite: OidcSite) -> None:
    client = osite.browser()
    back = start(client, osite)
    q = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
    refused(client, f"/login/oidc/callback?state={q['state']}", "sent no authorization code", osite)
