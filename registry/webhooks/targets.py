"""Webhook endpoints: a plain http(s) URL whose host resolves to public addresses only.

A webhook makes the server send requests where an admin says; pointed at a private,
loopback, link-local (cloud metadata at 169.254.169.254), multicast, reserved or
unspecified address it would reach what only the server can reach. Such targets are
refused when the webhook is added and again at every delivery (names can be re-pointed),
unless the operator allows them (``[server] webhook_allow_private = true`` in the config
file, or ``modelreg serve --webhook-allow-private``). Deliveries never follow redirects.
The address is checked when the name is resolved just before a delivery; a name that
answers differently to the HTTP client a moment later (DNS rebinding within that gap) is
not caught.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from registry.errors import InvalidInputError
from registry.identity.oidc_config import OidcSettings, parse_oidc_table

MAX_URL = 2048


@dataclass(frozen=True)
class ServerOptions:
    """The config file's ``[server]`` table."""

    webhook_allow_private: bool = False
    source: str = "default"
    oidc: OidcSettings | None = None  # [server.oidc]: OpenID Connect sign-in to the web pages


def parse_server_table(table: object, where: str) -> ServerOptions:
    if not isinstance(table, dict):
        raise InvalidInputError(f"{where}: [server] must be a table")
    unknown = sorted(set(table) - {"webhook_allow_private", "oidc"})
    if unknown:
        raise InvalidInputError(
            f"{where}: unknown key(s) in [server]: {', '.join(unknown)}; "
            "the known keys are webhook_allow_private and the [server.oidc] table"
        )
    allow = table.get("webhook_allow_private", False)
    if not isinstance(allow, bool):
        raise InvalidInputError(f"{where}: [server] webhook_allow_private must be true or false")
    oidc = parse_oidc_table(table["oidc"], where) if "oidc" in table else None
    return ServerOptions(allow, where, oidc)


def _not_public(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return (
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or not addr.is_global
    )


def parse_url(url: str) -> tuple[str, str, int]:
    """(url, host, port) of a webhook URL, or InvalidInputError."""
    text = url.strip()
    if not text or len(text) > MAX_URL or any(ord(c) < 33 for c in text):
        raise InvalidInputError("a webhook URL must be one http(s) URL without spaces")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(f"webhook URL {text!r} must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise InvalidInputError("a webhook URL must not carry a user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidInputError(f"webhook URL {text!r} has an invalid port") from None
    return text, parts.hostname, port


def addresses(host: str, port: int) -> list[str]:
    try:
        infos: list[Any] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInputError(f"webhook host {host!r} does not resolve: {exc}") from None
    return sorted({str(info[4][0]).split("%")[0] for info in infos})


def check_target(url: str, allow_private: bool) -> str:
    """The URL, once its host resolves to public addresses only (or private ones allowed)."""
    text, host, port = parse_url(url)
    found = addresses(host, port)
    if not allow_private:
        blocked = [a for a in found if _not_public(ipaddress.ip_address(a))]
        if blocked:
            raise InvalidInputError(
                f"webhook host {host} resolves to a private, loopback or link-local address "
                f"({', '.join(blocked)}); refused",
                hint="an operator may allow it: [server] webhook_allow_private = true",
            )
    return text
