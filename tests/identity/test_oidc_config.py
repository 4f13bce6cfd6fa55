"""``[server.oidc]`` in the config file: strict parsing, the secret only in a file, never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.errors import InvalidInputError
from registry.identity.oidc_config import parse_oidc_table, read_client_secret
from registry.webhooks.targets import parse_server_table
from tests.conftest import Cli

GOOD = {
    "issuer": "https://login.example.com/realms/acme",
    "client_id": "modelreg",
    "client_secret_file": "/etc/modelreg/oidc-secret",
}


def test_defaults_and_options() -> None:
    s = parse_oidc_table(dict(GOOD), "cfg")
    assert s.scopes == ("openid", "email", "profile") and s.username_claim == "preferred_username"
    assert s.redirect_url is None and s.allowed_domains == () and s.host == "login.example.com"
    s = parse_oidc_table(
        {**GOOD, "scopes": "openid email", "username_claim": "email",
         "redirect_url": "https://modelreg.example/login/oidc/callback",
         "allowed_domains": ["@Acme.com"]},
        "cfg",
    )  # fmt: skip
    assert s.scopes == ("openid", "email") and s.allowed_domains == ("acme.com",)
    assert parse_server_table({"oidc": dict(GOOD)}, "cfg").oidc == parse_oidc_table(GOOD, "cfg")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"client_id": "m", "client_secret_file": "/s"}, "needs issuer"),
        ({**GOOD, "client_id": ""}, "needs client_id"),
        ({"issuer": GOOD["issuer"], "client_id": "m"}, "needs client_secret_file"),
        ({**GOOD, "client_secret": "hunter2"}, "client_secret is refused: never put the secret"),
        ({**GOOD, "issuer": "http://login.example.com"}, "must use https"),
        ({**GOOD, "issuer": "ftp://login.example.com"}, "must be an https:// URL"),
        ({**GOOD, "issuer": "https://u:p@login.example.com"}, "must not carry a user name"),
        ({**GOOD, "redirect_url": "http://modelreg.example/cb"}, "must use https"),
        ({**GOOD, "scopes": ["email"]}, "scopes must include openid"),
        ({**GOOD, "scopes": 3}, "scopes must be a non-empty list"),
        ({**GOOD, "username_claim": ""}, "username_claim must be a claim name"),
        ({**GOOD, "colour": "blue"}, "unknown key\\(s\\) in \\[server.oidc\\]: colour"),
        ("issuer", "must be a table"),
    ],
)
def test_bad_tables_are_refused(table: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message) as err:
        parse_oidc_table(table, "cfg")
    assert "hunter2" not in str(err.value.message)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_http_is_accepted_for_a_loopback_issuer(host: str) -> None:
    assert parse_oidc_table({**GOOD, "issuer": f"http://{host}:8080"}, "c").issuer.startswith(
        "http:"
    )


def test_the_secret_file_must_be_readable_and_one_line(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    s = parse_oidc_table({**GOOD, "client_secret_file": str(secret)}, "cfg")
    with pytest.raises(InvalidInputError, match="cannot be read"):
        read_client_secret(s)
    secret.write_text("line one\nline two\n")
    with pytest.raises(InvalidInputError, match="on one line") as err:
        read_client_secret(s)
    assert "line one" not in err.value.message
    secret.write_text("the-secret\n")
    assert read_client_secret(s) == "the-secret"


def test_config_show_and_errors_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("very-secret-value\n")
    config = tmp_path / "modelreg.toml"
    monkeypatch.setenv("MODELREG_CONFIG", str(config))
    config.write_text(
        f'[server.oidc]\nissuer = "{GOOD["issuer"]}"\nclient_id = "modelreg"\n'
        f'client_secret_file = "{secret}"\nusername_claim = "email"\n'
    )
    cli = Cli(None)
    res = cli("config", "show")
    assert res.exit_code == 0, res.stderr
    assert f"issuer={GOOD['issuer']}" in res.stdout and "client_secret=***" in res.stdout
    assert "very-secret-value" not in res.stdout + res.stderr
    data = cli("config", "show", "--format", "json").json()
    assert isinstance(data, dict)
    shown = data["settings"]["server_oidc"]
    assert shown["value"]["client_secret_file"] == str(secret)
    assert shown["value"]["username_claim"] == "email"
    assert shown["source"] == f"config file {config}"
    config.write_text('[server.oidc]\nissuer = "https://x.example"\nclient_secret = "hunter2"\n')
    bad = cli("config", "show")
    assert bad.exit_code == 2 and "client_secret is refused" in bad.stderr
    assert "hunter2" not in bad.stdout + bad.stderr and "Traceback" not in bad.stderr
