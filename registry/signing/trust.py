"""What a recorded signature must show to be trusted, free of SQLAlchemy (the check path).

``files_digest`` fingerprints the registered files a signature covered; the ``signature``
rule recomputes it from the catalog, so a record speaks only for the files it was made for.
:class:`TrustList` is the ``[signing]`` table of the config file: the key fingerprints and
certificate identities whose signatures a deployment check accepts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from registry.errors import InvalidInputError


def files_digest(files: Iterable[tuple[str, str | None, str | None]]) -> str:
    """SHA-256 over the sorted (path, SHA-256 or git blob id) of a variant's files."""
    h = hashlib.sha256()
    for path, sha, oid in sorted(files, key=lambda f: f[0]):
        h.update(f"{path}\0{sha or oid or ''}\n".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class TrustedIdentity:
    identity: str
    issuer: str | None = None


@dataclass(frozen=True)
class RecordFacts:
    """The columns of a signature record that trust depends on."""

    method: str
    key_fingerprint: str
    identity: str | None
    issuer: str | None
    chain_verified: bool


@dataclass(frozen=True)
class TrustList:
    require: bool = False
    keys: tuple[str, ...] = ()
    identities: tuple[TrustedIdentity, ...] = ()

    def accepts(self, rec: RecordFacts) -> str | None:
        """Why the record is trusted (a phrase), or None."""
        if rec.key_fingerprint in self.keys:
            return f"key {rec.key_fingerprint[:16]}... is trusted"
        if rec.identity is None or not rec.chain_verified:
            return None  # an identity counts only when its certificate chain was verified
        for t in self.identities:
            if t.identity == rec.identity and (t.issuer is None or t.issuer == rec.issuer):
                return f"identity {rec.identity} is trusted"
        return None


def _strings(raw: Any, where: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(v, str) and v for v in raw):
        raise InvalidInputError(f"{where} must be a list of non-empty strings")
    return raw


def parse_trust(raw: Any, where: str) -> TrustList:
    """Validate the ``[signing]`` table: ``require``, ``trusted_keys``, ``trusted_identities``."""
    if not isinstance(raw, dict):
        raise InvalidInputError(f"{where}: [signing] must be a table")
    unknown = sorted(set(raw) - {"require", "trusted_keys", "trusted_identities"})
    if unknown:
        raise InvalidInputError(f"{where}: unknown key signing.{unknown[0]}")
    require = raw.get("require", False)
    if not isinstance(require, bool):
        raise InvalidInputError(f"{where}: signing.require must be true or false")
    keys = []
    for k in _strings(raw.get("trusted_keys", []), f"{where}: signing.trusted_keys"):
        k = k.lower().removeprefix("sha256:")
        if len(k) != 64 or any(c not in "0123456789abcdef" for c in k):
            raise InvalidInputError(f"{where}: {k!r} is not a SHA-256 key fingerprint")
        keys.append(k)
    identities = []
    for item in raw.get("trusted_identities", []):
        if isinstance(item, str) and item:
            identities.append(TrustedIdentity(item))
        elif isinstance(item, dict) and isinstance(item.get("identity"), str):
            issuer = item.get("issuer")
            if set(item) - {"identity", "issuer"} or not isinstance(issuer, str | None):
                raise InvalidInputError(f"{where}: a trusted identity is {{identity, issuer}}")
            identities.append(TrustedIdentity(item["identity"], issuer))
        else:
            raise InvalidInputError(
                f"{where}: signing.trusted_identities holds strings or {{identity, issuer}} tables"
            )
    if require and not keys and not identities:
        raise InvalidInputError(
            f"{where}: signing.require needs trusted_keys or trusted_identities"
        )
    return TrustList(require, tuple(keys), tuple(identities))
