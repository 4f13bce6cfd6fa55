"""``modelreg admin``: users, roles and tokens on a direct database; tokens stored as hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest

from registry.errors import AuthenticationError
from tests.conftest import Cli

TOKEN = re.compile(r"^mr_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$")


def test_users_and_roles(cli: Cli) -> None:
    assert cli("admin", "user", "add", "alice", "--role", "admin").exit_code == 0
    res = cli("admin", "user", "add", "bob", "--role", "contributor", "--namespace", "acme")
    assert res.exit_code == 0 and "contributor@acme" in res.stderr
    assert cli("admin", "user", "add", "alice", "--role", "viewer").exit_code == 2
    bad = cli("admin", "user", "add", "carol", "--role", "root")
    assert bad.exit_code == 2 and "unknown role" in bad.stderr
    assert (
        cli("admin", "user", "add", "carol", "--role", "viewer", "--namespace", "a/b").exit_code
        == 2
    )
    assert cli("admin", "user", "grant", "bob", "--role", "viewer").exit_code == 0
    assert (
        cli("admin", "user", "grant", "bob", "--role", "approver", "--namespace", "acme").exit_code
        == 0
    )
    users = json.loads(cli("admin", "user", "list", "--format", "json").stdout)
    bob = next(u for u in users if u["name"] == "bob")
    assert bob["roles"] == [
        {"role": "viewer", "namespace": None},
        {"role": "approver", "namespace": "acme"},
    ]
    assert cli("admin", "user", "revoke", "bob", "--namespace", "acme").exit_code == 0
    res = cli("admin", "user", "revoke", "bob", "--namespace", "acme")
    assert res.exit_code == 2 and "holds no role" in res.stderr
    table = cli("admin", "user", "list")
    assert "viewer@*" in table.stdout and "admin@*" in table.stdout
    assert cli("admin", "user", "grant", "ghost", "--role", "viewer").exit_code == 2


def test_token_shown_once_stored_as_hash(cli: Cli, catalog: object) -> None:
    assert cli("admin", "user", "add", "ci", "--role", "contributor").exit_code == 0
    res = cli("admin", "token", "create", "ci", "--scopes", "read,write", "--label", "pipeline")
    assert res.exit_code == 0, res.stderr
    secret = res.stdout.strip()
    assert TOKEN.match(secret), res.stdout
    assert "shown only this once" in res.stderr and secret not in res.stderr
    listed = cli("admin", "token", "list", "--user", "ci", "--format", "json")
    assert secret not in listed.stdout
    (tok,) = json.loads(listed.stdout)
    assert tok["prefix"] == secret[:11] and tok["scopes"] == ["read", "write"]
    assert tok["state"] == "active" and tok["label"] == "pipeline" and tok["expires_at"]
    # nothing in the database holds the secret; its SHA-256 is what is kept
    from sqlalchemy import text

    with catalog.session() as s:  # type: ignore[attr-defined]
        rows = s.execute(text("SELECT * FROM api_tokens")).all()
        trail = s.execute(text("SELECT * FROM audit_events")).all()
    flat = " ".join(str(v) for r in rows + trail for v in r)
    assert secret not in flat and secret[12:] not in flat
    assert hashlib.sha256(secret.encode()).hexdigest() in flat

    from registry.config import load_settings
    from registry.db.reader import open_reader
    from registry.identity.tokens import authenticate, touch_token

    reader = open_reader(load_settings(database_url=cli.db_url))
    try:
        who = authenticate(reader, secret)
        assert who.principal.name == "ci" and who.principal.roles == {"": "contributor"}
        assert who.principal.scopes == {"read", "write"} and who.stale_use
        with catalog.session(write=True) as s:  # type: ignore[attr-defined]
            touch_token(s, tok["id"])
        assert not authenticate(reader, secret).stale_use
        for wrong in (None, "", "mr_x", secret[:-1] + ("A" if secret[-1] != "A" else "B")):
            with pytest.raises(AuthenticationError) as err:
                authenticate(reader, wrong)
            assert wrong is None or wrong == "" or wrong not in str(err.value)

        assert cli("admin", "token", "revoke", tok["prefix"]).exit_code == 0
        with pytest.raises(AuthenticationError):
            authenticate(reader, secret)
    finally:
        reader.close()
    listed = cli("admin", "token", "list", "--user", "ci", "--format", "json")
    assert json.loads(listed.stdout)[0]["state"] == "revoked"
    assert cli("admin", "token", "revoke", "999").exit_code == 2


def test_token_expiry(cli: Cli, catalog: object) -> None:
    from registry.identity.tokens import parse_expiry

    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert parse_expiry("12h", now) == now + dt.timedelta(hours=12)
    assert parse_expiry("2w", now) == now + dt.timedelta(weeks=2)
    assert parse_expiry("never", now) is None
    assert parse_expiry("2030-01-01", now) == dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert cli("admin", "user", "add", "ci", "--role", "viewer").exit_code == 0
    for bad in ("0d", "yesterday", "2001-01-01"):
        res = cli("admin", "token", "create", "ci", "--expires", bad)
        assert res.exit_code == 2 and res.stdout == "", bad
    res = cli("admin", "token", "create", "ci", "--expires", "never", "--format", "json")
    doc = json.loads(res.stdout)
    assert doc["expires_at"] is None and TOKEN.match(doc["token"])
    assert cli("admin", "token", "create", "ghost").exit_code == 2
