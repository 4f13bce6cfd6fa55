"""Roles and the permission rules, as plain data and functions (no database, no web).

``viewer`` < ``contributor`` < ``approver`` < ``admin``. A role is held globally or for a
namespace: the part of a variant name before its first ``/`` (``acme/llama-ft`` is in
``acme``). A role held globally counts in every namespace. An API token narrows its user's
rights with scopes: ``read``, ``write``, ``approve`` and ``admin`` unlock what viewer,
contributor, approver and admin may do; a token without ``write`` cannot write even for an
admin. Nobody grants a role they do not hold, and nobody changes their own roles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from registry.audit.actor import Actor
from registry.errors import InvalidInputError, PermissionDeniedError

ROLES = ("viewer", "contributor", "approver", "admin")
SCOPE_OF_ROLE = {"viewer": "read", "contributor": "write", "approver": "approve", "admin": "admin"}
SCOPES = tuple(SCOPE_OF_ROLE.values())
GLOBAL = ""  # the namespace value of a global role grant


def level(role: str) -> int:
    return ROLES.index(role) + 1


def check_role(role: str) -> str:
    r = role.strip().lower()
    if r not in ROLES:
        raise InvalidInputError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return r


def check_namespace(namespace: str | None) -> str:
    """A namespace as stored: ``""`` for global, else a name without ``/`` or control chars."""
    if namespace is None:
        return GLOBAL
    ns = namespace.strip()
    if not ns or len(ns) > 255 or "/" in ns or any(ord(c) < 32 for c in ns):
        raise InvalidInputError(
            f"namespace {namespace!r} must be a non-empty name without '/' (the part of a "
            "variant name before its first '/')"
        )
    return ns


def check_scopes(scopes: list[str] | tuple[str, ...] | None) -> list[str]:
    if not scopes:
        return list(SCOPES)
    out = []
    for s in scopes:
        for part in s.split(","):
            p = part.strip().lower()
            if not p:
                continue
            if p not in SCOPES:
                raise InvalidInputError(f"unknown scope {part!r}; use {', '.join(SCOPES)}")
            out.append(p)
    if not out:
        raise InvalidInputError("a token needs at least one scope")
    return [s for s in SCOPES if s in out]


def where(namespace: str | None) -> str:
    return f"namespace {namespace!r}" if namespace else "the whole catalog"


@dataclass(frozen=True)
class Principal:
    """An authenticated user as one request sees them: roles and the token's scopes."""

    user_id: int
    name: str
    roles: Mapping[str, str] = field(default_factory=dict)  # namespace ("" global) -> role
    scopes: frozenset[str] = frozenset(SCOPES)
    token_id: int | None = None

    def role_in(self, namespace: str | None) -> str | None:
        """The highest role that counts in ``namespace`` (None: the global role only)."""
        held = [
            r for ns, r in self.roles.items() if ns == GLOBAL or (namespace and ns == namespace)
        ]
        return max(held, key=level) if held else None

    def highest_role(self) -> str | None:
        return max(self.roles.values(), key=level) if self.roles else None

    def can(self, role: str, namespace: str | None = None, *, anywhere: bool = False) -> bool:
        held = self.highest_role() if anywhere else self.role_in(namespace)
        return (
            held is not None and level(held) >= level(role) and SCOPE_OF_ROLE[role] in self.scopes
        )

    def require(self, role: str, namespace: str | None = None, *, anywhere: bool = False) -> None:
        """Raise :class:`PermissionDeniedError` naming the missing role or scope."""
        if self.can(role, namespace, anywhere=anywhere):
            return
        held = self.highest_role() if anywhere else self.role_in(namespace)
        scope = SCOPE_OF_ROLE[role]
        if held is not None and level(held) >= level(role):
            raise PermissionDeniedError(
                f"permission denied: this token of {self.name} lacks the {scope!r} scope "
                f"that the {role} role needs"
            )
        place = "any namespace" if anywhere else where(namespace)
        raise PermissionDeniedError(
            f"permission denied: this needs the {role} role for {place}; "
            f"{self.name} has {held or 'no role'} there"
        )

    def actor(self, request_id: str | None = None) -> Actor:
        return Actor(self.name, "user", self.token_id, request_id)


def check_grant(granter: Principal | None, user: str, role: str, namespace: str) -> None:
    """May ``granter`` give (or take) ``role`` in ``namespace`` to ``user``?

    ``granter`` None is the operator on a direct database, who may. Otherwise: an admin of
    that scope, who holds the role there, and who is not ``user``.
    """
    if granter is None:
        return
    if granter.name == user:
        raise PermissionDeniedError("permission denied: nobody changes their own roles")
    granter.require("admin", namespace or None)
    held = granter.role_in(namespace or None)
    if held is None or level(held) < level(role):
        raise PermissionDeniedError(
            f"permission denied: {granter.name} does not hold {role} for {where(namespace)} "
            "and cannot grant it"
        )
