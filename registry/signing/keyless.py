"""Sigstore keyless bundles, checked offline as far as the bundle's own material allows.

A keyless bundle carries a short-lived Fulcio certificate whose subject alternative name is
the signer's identity (an e-mail or a workflow URI) and whose extension
``1.3.6.1.4.1.57264.1.8`` (``.1.1`` in older certificates) names the OpenID Connect issuer
that vouched for it, plus a Rekor transparency-log entry.

Verified here, offline: the DSSE signature with the certificate's key; the identity and
issuer against the expected ones; the certificate's code-signing usage; that the log entry's
body records this envelope (payload hash, signature and certificate; ``dsse`` 0.0.1 entries);
that the log's integration time lies within the certificate's validity; and, when a CA
bundle (Fulcio's root and intermediate) is given, the certificate chain at that time.

Not verified offline: the Rekor signed entry timestamp and inclusion proof, the certificate's
embedded SCTs and any RFC 3161 timestamps. They need Sigstore's trust root (Rekor's and the
CT logs' public keys, fetched and updated over TUF); ``model_signing verify sigstore``
checks them online. Without a CA bundle the chain to Fulcio is not verified either, and
such a record never satisfies the ``signature`` rule.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

from registry.signing.bundle import Bundle

ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
NOT_OFFLINE = (
    "Rekor signed entry timestamp and inclusion proof (need Sigstore's trust root)",
    "signed certificate timestamps (need the CT logs' keys)",
)


@dataclass
class KeylessFacts:
    identities: list[str]
    issuer: str | None
    integrated_time: dt.datetime | None
    problems: list[str] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=lambda: list(NOT_OFFLINE))


def oidc_issuer(cert: x509.Certificate) -> str | None:
    for oid in (ISSUER_V2, ISSUER_V1):
        try:
            ext = cert.extensions.get_extension_for_oid(oid).value
        except x509.ExtensionNotFound:
            continue
        raw = ext.value if isinstance(ext, x509.UnrecognizedExtension) else b""
        if oid == ISSUER_V1:
            return raw.decode("utf-8", "replace")
        # V2 is a DER UTF8String: tag 0x0c, a length, the text
        if len(raw) >= 2 and raw[0] == 0x0C:
            start = 2 if raw[1] < 0x80 else 2 + (raw[1] & 0x7F)
            return raw[start:].decode("utf-8", "replace")
    return None


def _integrated_time(entry: dict[str, Any]) -> dt.datetime | None:
    raw = entry.get("integratedTime")
    try:
        return dt.datetime.fromtimestamp(int(raw), dt.UTC) if raw is not None else None
    except (TypeError, ValueError, OverflowError):
        return None


def _body_matches(entry: dict[str, Any], bundle: Bundle, cert: x509.Certificate) -> str | None:
    """None when a ``dsse`` 0.0.1 log entry records this envelope, else the reason."""
    kind = entry.get("kindVersion") or {}
    if (kind.get("kind"), kind.get("version")) != ("dsse", "0.0.1"):
        return f"log entry kind {kind.get('kind')}/{kind.get('version')} is not checked offline"
    try:
        body = json.loads(base64.b64decode(entry.get("canonicalizedBody", ""), validate=True))
        spec = body["spec"]
        payload_hash = spec["payloadHash"]
        signatures = spec["signatures"]
    except (ValueError, KeyError, TypeError):
        return "the log entry's body is malformed"
    if (
        payload_hash.get("algorithm") != "sha256"
        or payload_hash.get("value") != hashlib.sha256(bundle.payload).hexdigest()
    ):
        return "the log entry records a different payload"
    pem = cert.public_bytes(serialization.Encoding.PEM)
    expected = [
        {
            "signature": base64.b64encode(bundle.signature).decode(),
            "verifier": base64.b64encode(pem).decode(),
        }
    ]
    if signatures != expected:
        return "the log entry records a different signature or certificate"
    return None


def examine(bundle: Bundle, cert: x509.Certificate) -> KeylessFacts:
    """What the bundle's own material proves about a keyless signature (no network)."""
    from registry.signing.keys import identities_of

    facts = KeylessFacts(identities_of(cert), oidc_issuer(cert), None)
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        code_signing = ExtendedKeyUsageOID.CODE_SIGNING in eku
    except x509.ExtensionNotFound:
        code_signing = False
    if not code_signing:
        facts.problems.append("the certificate is not for code signing")
    if not bundle.tlog_entries:
        facts.problems.append("the bundle has no transparency-log entry")
        return facts
    entry = bundle.tlog_entries[0]
    facts.integrated_time = _integrated_time(entry)
    if facts.integrated_time is None:
        facts.problems.append("the log entry has no integration time")
    elif not (cert.not_valid_before_utc <= facts.integrated_time <= cert.not_valid_after_utc):
        facts.problems.append("the log entry's time is outside the certificate's validity")
    else:
        facts.verified.append("log integration time within the certificate's validity")
    mismatch = _body_matches(entry, bundle, cert)
    if mismatch is None:
        facts.verified.append("log entry body records this envelope")
    elif mismatch.endswith("not checked offline"):
        facts.unverified.append(mismatch)
    else:
        facts.problems.append(mismatch)
    return facts
