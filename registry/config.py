"""Settings and where each came from: the database URL, the team server, the default
organisation, policy dirs.

Resolution order for the database URL: ``--db URL``, then ``MODELREG_DATABASE_URL``, then
``database_url`` in the config file, then the default SQLite file in the user data directory
(created and migrated on first use). The config file is TOML, at ``MODELREG_CONFIG`` if set,
else ``config.toml`` in the platformdirs user config directory.

Remote mode: with a team server URL (``MODELREG_URL``, else ``server_url`` in the config
file, written by ``modelreg login``) and no ``--db``, commands run against that server with
the token from ``MODELREG_TOKEN``, else ``token`` in the config file.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.errors import InvalidInputError

APP_NAME = "modelreg"
ENV_DATABASE_URL = "MODELREG_DATABASE_URL"
ENV_CONFIG = "MODELREG_CONFIG"
ENV_DEFAULT_ORG = "MODELREG_ORG"
ENV_POLICY_DIRS = "MODELREG_POLICY_DIRS"
ENV_URL = "MODELREG_URL"
ENV_TOKEN = "MODELREG_TOKEN"
KNOWN_KEYS = (
    "database_url",
    "default_org",
    "policy_dirs",
    "signing",
    "server_url",
    "token",
    "release",
    "server",
)


@dataclass(frozen=True)
class Setting:
    """A value and a human description of where it came from."""

    value: Any
    source: str


@dataclass(frozen=True)
class Settings:
    database_url: Setting
    default_org: Setting
    policy_dirs: Setting
    config_file: Path
    config_file_exists: bool
    server_url: Setting = Setting(None, "unset")
    token: Setting = Setting(None, "unset")
    extra: dict[str, Setting] = field(default_factory=dict)

    @property
    def uses_default_database(self) -> bool:
        return self.database_url.source == "default"

    @property
    def remote(self) -> bool:
        """Commands go to the team server: a server URL is set and ``--db`` was not given."""
        return bool(self.server_url.value) and self.database_url.source != "--db"


def config_file_path() -> Path:
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "config.toml"


def default_database_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME)) / "catalog.db"


def read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInputError(f"config file {path} is not valid TOML: {exc}") from None
    known = set(KNOWN_KEYS)
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidInputError(
            f"config file {path}: unknown key(s) {', '.join(unknown)}; "
            f"known keys are {', '.join(sorted(known))}"
        )
    return data


def load_settings(
    *, database_url: str | None = None, policy_dirs: list[Path] | None = None
) -> Settings:
    """Resolve every setting from the command line, the environment, the file, the default."""
    path = config_file_path()
    data = read_config_file(path)
    where = f"config file {path}"

    if database_url:
        db = Setting(database_url, "--db")
    elif os.environ.get(ENV_DATABASE_URL):
        db = Setting(os.environ[ENV_DATABASE_URL], f"environment {ENV_DATABASE_URL}")
    elif data.get("database_url"):
        db = Setting(str(data["database_url"]), where)
    else:
        db = Setting(f"sqlite:///{default_database_path()}", "default")

    if os.environ.get(ENV_DEFAULT_ORG):
        org = Setting(os.environ[ENV_DEFAULT_ORG], f"environment {ENV_DEFAULT_ORG}")
    elif data.get("default_org"):
        org = Setting(str(data["default_org"]), where)
    else:
        org = Setting(None, "unset")

    if policy_dirs:
        pol = Setting([Path(p) for p in policy_dirs], "--policies")
    elif os.environ.get(ENV_POLICY_DIRS):
        parts = [p for p in os.environ[ENV_POLICY_DIRS].split(os.pathsep) if p]
        pol = Setting([Path(p) for p in parts], f"environment {ENV_POLICY_DIRS}")
    elif data.get("policy_dirs"):
        raw = data["policy_dirs"]
        if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
            raise InvalidInputError(f"{where}: policy_dirs must be a list of paths")
        pol = Setting([Path(p).expanduser() for p in raw], where)
    else:
        pol = Setting([], "default (built-in policies only)")

    extra: dict[str, Setting] = {}
    if "signing" in data:  # the signature requirement of deployment checks
        from registry.signing.trust import parse_trust

        extra["signing"] = Setting(parse_trust(data["signing"], where), where)
    if "release" in data:  # what a release request demands of its evidence
        from registry.releases.rules import parse_rules

        extra["release"] = Setting(parse_rules(data["release"], where), where)
    if "server" in data:  # options of the team server (webhook targets)
        from registry.webhooks.targets import parse_server_table

        extra["server"] = Setting(parse_server_table(data["server"], where), where)

    if os.environ.get(ENV_URL):
        server = Setting(os.environ[ENV_URL].rstrip("/"), f"environment {ENV_URL}")
    elif data.get("server_url"):
        server = Setting(str(data["server_url"]).rstrip("/"), where)
    else:
        server = Setting(None, "unset")
    if os.environ.get(ENV_TOKEN):
        token = Setting(os.environ[ENV_TOKEN].strip(), f"environment {ENV_TOKEN}")
    elif data.get("token"):
        token = Setting(str(data["token"]).strip(), where)
    else:
        token = Setting(None, "unset")

    return Settings(
        database_url=db,
        default_org=org,
        policy_dirs=pol,
        config_file=path,
        config_file_exists=path.is_file(),
        extra=extra,
        server_url=server,
        token=token,
    )


_PASSWORD_IN_URL = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]*:)(?P<pw>[^@]*)(?=@)")


_PASSWORD_IN_QUERY = re.compile(r"(?P<head>[?&]password=)(?P<pw>[^&#]*)", re.IGNORECASE)


def mask_url(url: str) -> str:
    """Return the URL with any password (user info or ``?password=``) replaced by ``***``."""
    url = _PASSWORD_IN_URL.sub(lambda m: m.group("head") + "***", url)
    return _PASSWORD_IN_QUERY.sub(lambda m: m.group("head") + "***", url)


def scrub(text: str, url: str | None) -> str:
    """Remove a database URL's password from a message (e.g. a driver error)."""
    if not url:
        return text
    masked = mask_url(url)
    text = text.replace(url, masked)
    for pattern in (_PASSWORD_IN_URL, _PASSWORD_IN_QUERY):
        m = pattern.search(url)
        if m and m.group("pw"):
            text = text.replace(m.group("pw"), "***")
    return text
