"""The config file's ``[server.oidc]`` table: which OpenID Connect provider signs people in.

``issuer`` (an https URL; http only for a loopback host, as in tests), ``client_id`` and
``client_secret_file`` (a file holding the client secret: the secret itself is never put in
the config file, never shown by ``modelreg config show`` and never printed) are required;
``scopes`` (default ``openid email profile``), ``username_claim`` (default
``preferred_username``: the claim that names an existing modelreg user), ``redirect_url``
(default: ``/login/oidc/callback`` of the URL the browser used) and ``allowed_domains``
(e-mail domains whose verified addresses may sign in) are optional. Anything else is refused.
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from registry.errors import InvalidInputError

KEYS = (
    "issuer",
    "client_id",
    "client_secret_file",
    "scopes",
    "username_claim",
    "redirect_url",
    "allowed_domains",
)
DEFAULT_SCOPES = ("openid", "email", "profile")
MAX_SECRET = 4096


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret_file: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    username_claim: str = "preferred_username"
    redirect_url: str | None = None
    allowed_domains: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["scopes"], out["allowed_domains"] = list(self.scopes), list(self.allowed_domains)
        return out

    @property
    def host(self) -> str:
        return urlsplit(self.issuer).netloc


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: object, what: str) -> str:
    """An absolute https URL (http only to a loopback host), without user info or fragment."""
    if not isinstance(url, str) or not url.strip() or any(ord(c) < 33 for c in url.strip()):
        raise InvalidInputError(f"{what} must be one URL without spaces")
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(f"{what} {text!r} must be an https:// URL with a host")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InvalidInputError(
            f"{what} {text!r} must use https (http is accepted only for a loopback host)"
        )
    if parts.username or parts.password or parts.fragment:
        raise InvalidInputError(f"{what} {text!r} must not carry a user name, password or #")
    return text


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...] | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise InvalidInputError(f"{where}: [server.oidc] {key} must be a non-empty list of strings")
    return tuple(v.strip() for v in value if v.strip())


def parse_oidc_table(table: object, where: str) -> OidcSettings:
    if not isinstance(table, dict):
        raise InvalidInputError(f"{where}: [server.oidc] must be a table")
    if "client_secret" in table:
        raise InvalidInputError(
            f"{where}: [server.oidc] client_secret is refused: never put the secret in the "
            "config file; put it in a file readable by the server alone and name that file "
            "with client_secret_file"
        )
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise InvalidInputError(
            f"{where}: unknown key(s) in [server.oidc]: {', '.join(unknown)}; "
            f"the known keys are {', '.join(KEYS)}"
        )
    missing = [k for k in KEYS[:3] if not isinstance(table.get(k), str) or not table[k].strip()]
    if missing:
        raise InvalidInputError(f"{where}: [server.oidc] needs {', '.join(missing)} (strings)")
    issuer = check_url(table["issuer"], f"{where}: [server.oidc] issuer")
    scopes = _strings(table, "scopes", where) or DEFAULT_SCOPES
    if "openid" not in scopes:
        raise InvalidInputError(f"{where}: [server.oidc] scopes must include openid")
    claim = table.get("username_claim", "preferred_username")
    if not isinstance(claim, str) or not claim.strip() or len(claim) > 100:
        raise InvalidInputError(f"{where}: [server.oidc] username_claim must be a claim name")
    redirect = table.get("redirect_url")
    if redirect is not None:
        redirect = check_url(redirect, f"{where}: [server.oidc] redirect_url")
    domains = _strings(table, "allowed_domains", where) or ()
    return OidcSettings(
        issuer=issuer,
        client_id=table["client_id"].strip(),
        client_secret_file=str(Path(table["client_secret_file"].strip()).expanduser()),
        scopes=scopes,
        username_claim=claim.strip(),
        redirect_url=redirect,
        allowed_domains=tuple(d.lower().lstrip("@") for d in domains),
    )


def read_client_secret(settings: OidcSettings) -> str:
    """The client secret from its file (the error names the file, never its content)."""
    path = Path(settings.client_secret_file)
    try:
        if path.stat().st_size > MAX_SECRET:
            raise InvalidInputError(f"[server.oidc] client_secret_file {path} is too large")
        secret = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InvalidInputError(
            f"[server.oidc] client_secret_file {path} cannot be read: {reason}"
        ) from None
    if not secret or "\n" in secret:
        raise InvalidInputError(
            f"[server.oidc] client_secret_file {path} must hold the secret on one line"
        )
    return secret
