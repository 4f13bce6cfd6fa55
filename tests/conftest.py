"""Shared fixtures: an isolated home, real SQLite and PostgreSQL catalogs, the CLI runner.

Every test that takes ``db_url`` (or ``catalog`` / ``cli``) runs twice: on a SQLite file and
on a PostgreSQL database. Each test gets its own database, copied from a template migrated
once per session (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL).

A test that takes ``cli`` also runs in remote mode: the same commands through a real team
server (uvicorn on 127.0.0.1, a free port, in a thread) over the same database, with an
admin's token in ``MODELREG_URL`` / ``MODELREG_TOKEN``. ``MODELREG_TEST_MODES=direct``
skips the remote runs; a test marked ``direct_only`` (it looks at what only a direct
database does, such as the OS user in the audit trail) never has them.

PostgreSQL: set ``MODELREG_TEST_POSTGRES_URL`` to an admin URL (for example
``postgresql://postgres@127.0.0.1:5432/postgres``); without it those tests skip. With
``MODELREG_TEST_REQUIRE_POSTGRES=1`` (CI) an unreachable server fails them instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

PG_ENV = "MODELREG_TEST_POSTGRES_URL"
PG_REQUIRED_ENV = "MODELREG_TEST_REQUIRE_POSTGRES"
MODES_ENV = "MODELREG_TEST_MODES"
REMOTE_ADMIN = "remote-admin"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the user's real config, data or Hugging Face cache."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    for var in (
        "MODELREG_DATABASE_URL",
        "MODELREG_CONFIG",
        "MODELREG_ORG",
        "MODELREG_POLICY_DIRS",
        "MODELREG_URL",
        "MODELREG_TOKEN",
        "HF_ENDPOINT",
        "HF_TOKEN",
        "HF_HUB_CACHE",
    ):
        monkeypatch.delenv(var, raising=False)
    return home


# --------------------------------------------------------------------------- databases


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get(PG_REQUIRED_ENV):
            pytest.fail(f"{PG_REQUIRED_ENV} is set but {PG_ENV} is not")
        return None
    return url


def _pg_admin_execute(admin_url: str, sql: str) -> None:
    import psycopg

    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _pg_url_for(admin_url: str, dbname: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
    return url.set(database=dbname).render_as_string(hide_password=False)


def pg_create_database(template: str | None = None) -> tuple[str, str]:
    """Create a fresh PostgreSQL database; return (name, URL). Skips without a server."""
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (an admin database URL)")
    name = f"modelreg_t_{uuid.uuid4().hex[:12]}"
    try:
        suffix = f" TEMPLATE {template}" if template else ""
        _pg_admin_execute(admin, f"CREATE DATABASE {name}{suffix}")
    except Exception as exc:
        if os.environ.get(PG_REQUIRED_ENV):
            pytest.fail(f"PostgreSQL required but unusable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return name, _pg_url_for(admin, name)


def pg_drop_database(name: str) -> None:
    admin = _pg_admin_url()
    if admin:
        _pg_admin_execute(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from registry.db.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "catalog.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    from registry.db.migrate import upgrade

    name, url = pg_create_database()
    try:
        upgrade(url)
        yield name
    finally:
        pg_drop_database(name)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty catalog of its own for this test."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "catalog.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    template_name = request.getfixturevalue("pg_template")
    name, url = pg_create_database(template=template_name)
    try:
        yield url
    finally:
        pg_drop_database(name)


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database with no schema at all (for migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name, url = pg_create_database()
    try:
        yield url
    finally:
        pg_drop_database(name)


@pytest.fixture
def catalog(db_url: str) -> Iterator[object]:
    from registry.config import load_settings
    from registry.db.engine import open_catalog

    cat = open_catalog(load_settings(database_url=db_url))
    yield cat
    cat.dispose()


# --------------------------------------------------------------------------- CLI


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def json(self) -> object:
        import json

        return json.loads(self.stdout)


class Cli:
    """Runs the real typer app in-process against one catalog (or its team server)."""

    def __init__(
        self, db_url: str | None, *, server_url: str | None = None, token: str = ""
    ) -> None:
        self.db_url = db_url
        self.server_url = server_url
        self.token = token
        self.runner = CliRunner()

    @property
    def remote(self) -> bool:
        return self.server_url is not None

    def __call__(self, *args: str | os.PathLike[str], input: str | None = None) -> CliResult:
        from registry.cli.app import app

        argv: Sequence[str] = [str(a) for a in args]
        env: dict[str, str] = {}
        if self.server_url is not None:
            env = {"MODELREG_URL": self.server_url, "MODELREG_TOKEN": self.token}
        elif self.db_url is not None:
            argv = ["--db", self.db_url, *argv]
        res = self.runner.invoke(app, list(argv), input=input, catch_exceptions=True, env=env)
        exc = res.exception
        if exc is not None and not isinstance(exc, SystemExit):
            raise exc
        return CliResult(res.exit_code, res.stdout, res.stderr, exc)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "cli_mode" not in metafunc.fixturenames:
        return
    modes = [m.strip() for m in os.environ.get(MODES_ENV, "direct,remote").split(",") if m]
    if metafunc.definition.get_closest_marker("direct_only"):
        modes = [m for m in modes if m == "direct"] or ["direct"]
    metafunc.parametrize("cli_mode", modes)


@pytest.fixture
def cli(db_url: str, cli_mode: str) -> Iterator[Cli]:
    """The CLI on the test's catalog: directly, or through a live team server on it."""
    if cli_mode == "direct":
        yield Cli(db_url)
        return
    from registry.server.app import create_app
    from registry.server.config import ServerConfig
    from tests.server.conftest import start_server

    operator = Cli(db_url)
    made = operator("admin", "user", "add", REMOTE_ADMIN, "--role", "admin")
    assert made.exit_code == 0, made.stderr
    token = operator("admin", "token", "create", REMOTE_ADMIN).stdout.strip()
    app = create_app(ServerConfig(database_url=db_url, failed_auth_limit=10_000))
    url, server, thread = start_server(app)
    try:
        yield Cli(db_url, server_url=url, token=token)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
