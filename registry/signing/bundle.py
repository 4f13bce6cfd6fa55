"""Sigstore bundles as ``model_signing`` writes them: parse, render, and the DSSE signature.

A bundle is JSON: ``mediaType``, ``verificationMaterial`` (a public-key hint, an X.509 chain
or a single certificate, transparency-log entries) and ``dsseEnvelope`` (base64 payload, its
type, base64 signatures). The signature covers the DSSE pre-authentication encoding (PAE) of
the payload, with ECDSA over the hash that matches the key's curve (P-256: SHA-256, P-384:
SHA-384, P-521: SHA-512), as ``model_signing`` does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from registry.errors import SignatureFormatError

MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
MEDIA_TYPES = (
    MEDIA_TYPE,
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
)
PAYLOAD_TYPE = "application/vnd.in-toto+json"
MAX_BUNDLE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Bundle:
    """What a bundle says, decoded; ``sha256`` is the digest of the file's bytes."""

    media_type: str
    payload: bytes
    payload_type: str
    signature: bytes
    key_hint: str | None
    certificates: tuple[bytes, ...]  # DER, signing certificate first
    tlog_entries: tuple[dict[str, Any], ...]
    sha256: str


def pae(payload: bytes, payload_type: str = PAYLOAD_TYPE) -> bytes:
    """The DSSE v1 pre-authentication encoding that is actually signed."""
    head = f"DSSEv1 {len(payload_type)} {payload_type} {len(payload)} "
    return head.encode() + payload


def curve_hash(key: ec.EllipticCurvePublicKey) -> hashes.HashAlgorithm:
    size = key.curve.key_size
    if size == 256:
        return hashes.SHA256()
    if size == 384:
        return hashes.SHA384()
    if size == 521:
        return hashes.SHA512()
    raise SignatureFormatError(f"unsupported elliptic curve {key.curve.name}")


def sign_payload(key: ec.EllipticCurvePrivateKey, payload: bytes) -> bytes:
    return key.sign(pae(payload), ec.ECDSA(curve_hash(key.public_key())))


def signature_valid(key: ec.EllipticCurvePublicKey, bundle: Bundle) -> bool:
    try:
        key.verify(
            bundle.signature, pae(bundle.payload, bundle.payload_type), ec.ECDSA(curve_hash(key))
        )
    except InvalidSignature:
        return False
    return True


def _b64(value: Any, field: str) -> bytes:
    if not isinstance(value, str):
        raise ValueError(f"{field} is not a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{field} is not valid base64") from None


def _obj(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{field} is missing or not an object")
    return value


def _certificates(material: dict[str, Any]) -> tuple[bytes, ...]:
    if "certificate" in material:
        cert = _obj(material["certificate"], "verificationMaterial.certificate")
        return (_b64(cert.get("rawBytes"), "certificate.rawBytes"),)
    if "x509CertificateChain" in material:
        chain = _obj(material["x509CertificateChain"], "x509CertificateChain")
        certs = chain.get("certificates")
        if not isinstance(certs, list) or not certs:
            raise ValueError("x509CertificateChain.certificates is empty")
        return tuple(
            _b64(_obj(c, "certificate").get("rawBytes"), "certificate.rawBytes") for c in certs
        )
    return ()


def _decode(
    doc: Any,
) -> tuple[str, bytes, str, bytes, str | None, tuple[bytes, ...], tuple[Any, ...]]:
    doc = _obj(doc, "the document")
    media = doc.get("mediaType")
    if media not in MEDIA_TYPES:
        raise ValueError(f"mediaType {media!r} is not a Sigstore bundle")
    if "dsseEnvelope" not in doc:
        raise ValueError("no dsseEnvelope (model_signing always signs a DSSE envelope)")
    env = _obj(doc["dsseEnvelope"], "dsseEnvelope")
    payload = _b64(env.get("payload"), "dsseEnvelope.payload")
    payload_type = env.get("payloadType")
    if not isinstance(payload_type, str):
        raise ValueError("dsseEnvelope.payloadType is missing")
    sigs = env.get("signatures")
    if not isinstance(sigs, list) or len(sigs) != 1:
        raise ValueError("dsseEnvelope must hold exactly one signature")
    signature = _b64(_obj(sigs[0], "signature").get("sig"), "signatures[0].sig")
    material = _obj(doc.get("verificationMaterial"), "verificationMaterial")
    hint = None
    if "publicKey" in material:
        raw_hint = _obj(material["publicKey"], "publicKey").get("hint")
        hint = raw_hint if isinstance(raw_hint, str) and raw_hint else None
    entries = material.get("tlogEntries", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError("tlogEntries is not a list of objects")
    return media, payload, payload_type, signature, hint, _certificates(material), tuple(entries)


def read_bundle(path: Path) -> Bundle:
    """Parse a bundle file; anything malformed is one ``SignatureFormatError`` (exit 4)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BUNDLE_BYTES + 1)
    except OSError as exc:
        raise SignatureFormatError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BUNDLE_BYTES:
        raise SignatureFormatError(f"{path}: larger than {MAX_BUNDLE_BYTES} bytes: not a bundle")
    try:
        parts = _decode(json.loads(data))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise SignatureFormatError(f"{path}: malformed signature bundle: {exc}") from None
    return Bundle(*parts, sha256=hashlib.sha256(data).hexdigest())


def render_bundle(
    payload: bytes,
    signature: bytes,
    *,
    key_hint: str | None = None,
    certificates: tuple[bytes, ...] = (),
) -> str:
    """The bundle JSON ``model_signing`` writes for the key or certificate method."""
    material: dict[str, Any] = {}
    if certificates:
        material["x509CertificateChain"] = {
            "certificates": [{"rawBytes": base64.b64encode(c).decode()} for c in certificates]
        }
    else:
        material["publicKey"] = {"hint": key_hint or ""}
    material["tlogEntries"] = []
    doc = {
        "mediaType": MEDIA_TYPE,
        "verificationMaterial": material,
        "dsseEnvelope": {
            "payload": base64.b64encode(payload).decode(),
            "payloadType": PAYLOAD_TYPE,
            "signatures": [{"sig": base64.b64encode(signature).decode(), "keyid": ""}],
        },
    }
    return json.dumps(doc, indent=2) + "\n"
