"""Keys and certificates the signing tests make: EC P-256 keys, a root → intermediate → leaf
chain for the certificate method, and a Fulcio-like leaf for sigstore keyless bundles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

FULCIO_ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def write_private(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def write_public(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def write_certs(path: Path, *certs: x509.Certificate) -> Path:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
    return path


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    not_before: dt.datetime,
    not_after: dt.datetime,
    email: str | None = None,
    oidc_issuer: str | None = None,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)] if subject else [])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
    )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False
        )
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=not subject
        )
    if oidc_issuer:
        text = oidc_issuer.encode()
        value = bytes([0x0C, len(text)]) + text  # DER UTF8String (short form)
        builder = builder.add_extension(
            x509.UnrecognizedExtension(FULCIO_ISSUER_V2, value), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class Chain:
    root_key: ec.EllipticCurvePrivateKey
    root: x509.Certificate
    intermediate_key: ec.EllipticCurvePrivateKey
    intermediate: x509.Certificate
    leaf_key: ec.EllipticCurvePrivateKey
    leaf: x509.Certificate


def make_chain(
    email: str = "release@example.com",
    *,
    oidc_issuer: str | None = None,
    leaf_days: float = 365,
) -> Chain:
    start = NOW - dt.timedelta(days=1)
    root_key, int_key, leaf_key = new_key(), new_key(), new_key()
    root = _cert(
        "test root",
        root_key,
        None,
        root_key,
        ca=True,
        not_before=start,
        not_after=start + dt.timedelta(days=3650),
    )
    inter = _cert(
        "test intermediate",
        int_key,
        root,
        root_key,
        ca=True,
        not_before=start,
        not_after=start + dt.timedelta(days=3650),
    )
    leaf = _cert(
        "" if oidc_issuer else "model publisher",
        leaf_key,
        inter,
        int_key,
        ca=False,
        not_before=start,
        not_after=start + dt.timedelta(days=leaf_days),
        email=email,
        oidc_issuer=oidc_issuer,
    )
    return Chain(root_key, root, int_key, inter, leaf_key, leaf)
