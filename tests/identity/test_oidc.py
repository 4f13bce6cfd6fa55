"""OpenID Connect sign-in against a real provider on loopback: the flow and every refusal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from registry.errors import AuthenticationError, OperationalError
from registry.identity.oidc import OidcClient, Pending
from registry.identity.oidc_config import parse_oidc_table, read_client_secret
from tests.identity.fake_idp import CLIENT_ID, CLIENT_SECRET, FakeIdP

REDIRECT = "http://127.0.0.1:9/login/oidc/callback"


@pytest.fixture
def idp() -> Iterator[FakeIdP]:
    provider = FakeIdP().start()
    try:
        yield provider
    finally:
        provider.stop()


def client_for(issuer: str, tmp_path: Path, **extra: object) -> OidcClient:
    secret = tmp_path / "oidc-secret"
    secret.write_text(CLIENT_SECRET + "\n")
    table = {"issuer": issuer, "client_id": CLIENT_ID, "client_secret_file": str(secret), **extra}
    settings = parse_oidc_table(table, "test")
    return OidcClient(settings, read_client_secret(settings), timeout=5)


@pytest.fixture
def client(idp: FakeIdP, tmp_path: Path) -> Iterator[OidcClient]:
    c = client_for(idp.issuer, tmp_path)
    try:
        yield c
    finally:
        c.close()


def round_trip(client: OidcClient, **hint: str) -> tuple[Pending, dict[str, str]]:
    """Start a sign-in and follow the authorize endpoint's redirect like a browser would."""
    url, pending = client.begin(REDIRECT, "/variants/x")
    res = httpx.get(url + ("&login_hint=" + hint["user"] if hint else ""), timeout=5)
    assert res.status_code == 302
    location = res.headers["location"]
    assert location.startswith(REDIRECT)
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return Pending.decode(pending.encode()), params


def test_good_path_rsa_and_ec_basic_and_post(idp: FakeIdP, client: OidcClient) -> None:
    pending, params = round_trip(client, user="bob")
    assert pending.next == "/variants/x"
    assert client.finish(pending, params, REDIRECT) == "bob"
    idp.alg = "ES256"
    idp.auth_methods = ["client_secret_post"]
    client._provider = None  # forget the cached discovery: the methods changed
    assert client.finish(*round_trip(client), REDIRECT) == "alice"
    assert idp.token_calls[-1]["client_secret"] == CLIENT_SECRET
    assert "client_secret" not in idp.token_calls[0]  # the first call used basic auth


def test_authorization_url_carries_pkce_state_and_nonce(client: OidcClient) -> None:
    url, pending = client.begin(REDIRECT, "/")
    q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert q["code_challenge_method"] == "S256" and q["code_challenge"] != pending.verifier
    assert q["state"] == pending.state and q["nonce"] == pending.nonce
    assert q["scope"] == "openid email profile" and q["redirect_uri"] == REDIRECT


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"aud": "someone-else"}, "issued for another client"),
        ({"aud": [CLIENT_ID, "other"]}, "issued for another client (azp)"),
        ({"iss": "https://evil.example"}, "not valid"),
        ({"exp": 1_000_000, "iat": 999_000}, "has expired"),
        ({"nonce": "replayed"}, "nonce does not match"),
        ({"preferred_username": None}, "no 'preferred_username' claim"),
    ],
)
def test_claims_that_do_not_hold_are_refused(
    idp: FakeIdP, client: OidcClient, change: dict[str, object], message: str
) -> None:
    idp.overrides = change
    with pytest.raises(AuthenticationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        client.finish(*round_trip(client), REDIRECT)


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_unsigned_and_hmac_tokens_are_refused(idp: FakeIdP, client: OidcClient, alg: str) -> None:
    idp.alg = alg
    with pytest.raises(AuthenticationError, match="algorithm .* is refused"):
        client.finish(*round_trip(client), REDIRECT)


def test_a_key_the_provider_does_not_publish_is_refused(idp: FakeIdP, client: OidcClient) -> None:
    idp.sign_with = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthenticationError, match="signature does not verify"):
        client.finish(*round_trip(client), REDIRECT)


def test_wrong_state_lost_cookie_and_provider_error(idp: FakeIdP, client: OidcClient) -> None:
    pending, params = round_trip(client)
    with pytest.raises(AuthenticationError, match="wrong state"):
        client.finish(pending, {**params, "state": "forged"}, REDIRECT)
    with pytest.raises(AuthenticationError, match="not started in this browser"):
        Pending.decode("garbage")
    idp.error = "access_denied"
    with pytest.raises(AuthenticationError, match="did not sign you in: access_denied"):
        client.finish(*round_trip(client), REDIRECT)


def test_a_code_is_good_once_and_needs_the_verifier(idp: FakeIdP, client: OidcClient) -> None:
    pending, params = round_trip(client)
    other = Pending(pending.state, pending.nonce, "x" * 60, "/", pending.started)
    with pytest.raises(AuthenticationError, match="refused the code"):
        client.finish(other, params, REDIRECT)  # the wrong PKCE verifier
    with pytest.raises(AuthenticationError, match="refused the code"):
        client.finish(pending, params, REDIRECT)  # the code was spent by that attempt


def test_email_claim_must_be_verified_and_in_an_allowed_domain(
    idp: FakeIdP, tmp_path: Path
) -> None:
    client = client_for(idp.issuer, tmp_path, username_claim="email", allowed_domains=["acme.com"])
    with pytest.raises(AuthenticationError, match="'example.org' may not sign in"):
        client.finish(*round_trip(client), REDIRECT)
    idp.overrides = {"email": "a@acme.com", "email_verified": False}
    with pytest.raises(AuthenticationError, match="no verified e-mail"):
        client.finish(*round_trip(client), REDIRECT)
    idp.overrides = {"email": "a@ACME.com"}
    assert client.finish(*round_trip(client), REDIRECT) == "a@ACME.com"
    client.close()


def test_provider_down_is_a_clear_operational_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = client_for(f"http://127.0.0.1:{port}", tmp_path)
    with pytest.raises(OperationalError, match="could not be reached \\(discovery\\)"):
        client.begin(REDIRECT, "/")
    client.close()
