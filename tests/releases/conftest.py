"""A compliant deployment ready for a release, and the people who request and approve it.

``acme/chat`` (Llama 2, fine-tuned from ``meta/llama-2-7b``) is deployed as ``chat-prod``
for ``acme`` (1.2M MAU in June 2023), internally as a code assistant: compliant. It is
verified, so a release may be requested at once. ``people`` gives a Cli acting as another
person: on a direct database another OS user (``LOGNAME``), through the server another
user with their own token.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import write_checkpoint
from tests.conftest import Cli, CliResult

DEPLOYMENT = "chat-prod"
VARIANT = "acme/chat"


def ok(res: CliResult) -> CliResult:
    assert res.exit_code == 0, (res.stdout, res.stderr)
    return res


def build_deployment(cli: Cli, root: Path) -> None:
    base = write_checkpoint(root / "base", card={"license": "llama2"})
    chat = write_checkpoint(
        root / "chat", seed=1, card={"license": "llama2", "base_model": "meta/llama-2-7b"}
    )
    ok(cli("add", base, "--name", "meta/llama-2-7b"))
    ok(cli("add", chat, "--name", VARIANT))
    ok(cli("verify", VARIANT))
    ok(cli("org", "add", "acme", "--country", "US"))
    ok(cli("org", "mau", "acme", "--month", "2023-06", "--users", "1200000"))
    ok(
        cli(
            "deploy",
            "add",
            DEPLOYMENT,
            "--model",
            VARIANT,
            "--org",
            "acme",
            "--use",
            "internal",
            "--purpose",
            "code-assistant",
        )
    )


class Person:
    """The CLI as someone else (an OS user on a database, a user with a token remotely)."""

    def __init__(self, cli: Cli, name: str, role: str) -> None:
        self.cli = cli
        self.name = name
        if cli.remote:
            operator = Cli(cli.db_url)
            ok(operator("admin", "user", "add", name, "--role", role))
            token = ok(operator("admin", "token", "create", name)).stdout.strip()
            self.as_cli = Cli(cli.db_url, server_url=cli.server_url, token=token)
        else:
            self.as_cli = cli

    def __call__(self, *args: str | Path) -> CliResult:
        if self.cli.remote:
            return self.as_cli(*args)
        res = self.cli.runner.invoke(
            _app(),
            ["--db", str(self.cli.db_url), *[str(a) for a in args]],
            env={"LOGNAME": self.name, "USER": self.name},
            catch_exceptions=True,
        )
        if res.exception is not None and not isinstance(res.exception, SystemExit):
            raise res.exception
        return CliResult(res.exit_code, res.stdout, res.stderr, res.exception)


def _app():  # type: ignore[no-untyped-def]
    from registry.cli.app import app

    return app


@pytest.fixture
def deployment(cli: Cli, tmp_path: Path) -> Cli:
    build_deployment(cli, tmp_path / "models")
    return cli


@pytest.fixture
def people(deployment: Cli) -> tuple[Person, Person]:
    """(requester, approver): two approvers (so that the requester could approve, were it not
    their own request)."""
    return Person(deployment, "bob", "approver"), Person(deployment, "carol", "approver")
