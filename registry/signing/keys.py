"""Keys and certificates from PEM files: loading, fingerprints, identities, chain checks.

A key's fingerprint is the SHA-256 (hex) of its PEM ``SubjectPublicKeyInfo``: exactly the
``publicKey.hint`` that ``model_signing`` puts in a key-signed bundle, so a fingerprint seen
in a bundle, in ``modelreg`` output and in the ``[signing]`` config is the same string. A
certificate's identity is its first e-mail or URI subject alternative name, else its
subject's common name. Chains are checked with ``cryptography``'s X.509 path validation
(the policy sigstore-python uses: web-PKI defaults, any extended key usage allowed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from registry.errors import SignatureFormatError


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise SignatureFormatError(
            f"{path}: cannot read the {what}: {exc.strerror or exc}"
        ) from None


def _ec_public(key: object, path: Path) -> ec.EllipticCurvePublicKey:
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise SignatureFormatError(
            f"{path}: not an elliptic-curve key (model_signing signs with EC keys)"
        )
    if key.curve.name not in ("secp256r1", "secp384r1", "secp521r1"):
        raise SignatureFormatError(f"{path}: curve {key.curve.name} is not P-256, P-384 or P-521")
    return key


def load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(_read(path, "private key"), password=None)
    except (ValueError, TypeError) as exc:
        raise SignatureFormatError(f"{path}: not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise SignatureFormatError(
            f"{path}: not an elliptic-curve key (model_signing signs with EC keys)"
        )
    _ec_public(key.public_key(), path)
    return key


def load_public_key(path: Path) -> ec.EllipticCurvePublicKey:
    """A PEM public key (a certificate is accepted too: its key is used)."""
    data = _read(path, "public key")
    try:
        if b"BEGIN CERTIFICATE" in data:
            key: object = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise SignatureFormatError(f"{path}: not a PEM public key: {exc}") from None
    return _ec_public(key, path)


def load_certificates(path: Path) -> list[x509.Certificate]:
    data = _read(path, "certificates")
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise SignatureFormatError(f"{path}: not PEM certificates: {exc}") from None
    return certs


def parse_der(der: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise SignatureFormatError(f"the bundle holds a malformed certificate: {exc}") from None


def key_fingerprint(key: ec.EllipticCurvePublicKey) -> str:
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(pem).hexdigest()


def cert_fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert_der(cert)).hexdigest()


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def cert_key(cert: x509.Certificate) -> ec.EllipticCurvePublicKey:
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise SignatureFormatError("the signing certificate's key is not an elliptic-curve key")
    return key


def identity_of(cert: x509.Certificate) -> str:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        san = None
    if san is not None:
        for kind in (x509.RFC822Name, x509.UniformResourceIdentifier):
            values = san.get_values_for_type(kind)
            if values:
                return str(values[0])
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(cns[0].value) if cns else cert.subject.rfc4514_string()


def identities_of(cert: x509.Certificate) -> list[str]:
    """Every e-mail and URI subject alternative name (what keyless identities are)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [str(v) for v in san.get_values_for_type(x509.RFC822Name)] + [
        str(v) for v in san.get_values_for_type(x509.UniformResourceIdentifier)
    ]


def usable_for_signing(cert: x509.Certificate) -> bool:
    """Key usage ``digitalSignature`` or extended key usage ``codeSigning`` (as model_signing)."""
    try:
        if cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature:
            return True
    except x509.ExtensionNotFound:
        pass
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.CODE_SIGNING in eku


def verify_chain(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    at: dt.datetime,
) -> str | None:
    """None when ``leaf`` chains to one of ``anchors`` at time ``at``, else the reason."""
    from cryptography.x509.verification import (
        Criticality,
        ExtensionPolicy,
        PolicyBuilder,
        Store,
        VerificationError,
    )

    if not anchors:
        return "no trust anchors given"
    eku = x509.ExtendedKeyUsage
    ca_policy = ExtensionPolicy.webpki_defaults_ca().may_be_present(
        eku, Criticality.NON_CRITICAL, None
    )
    ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        eku, Criticality.NON_CRITICAL, None
    )
    verifier = (
        PolicyBuilder()
        .store(Store(list(anchors)))
        .time(at)
        .extension_policies(ca_policy=ca_policy, ee_policy=ee_policy)
        .build_client_verifier()
    )
    try:
        verifier.verify(leaf, list(intermediates))
    except (VerificationError, ValueError) as exc:
        return str(exc)
    return None
