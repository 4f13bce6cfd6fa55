"""``modelreg verify NAME --signature FILE``: check a model_signing bundle, offline, and record it.

The trust the caller brings decides the method:

- ``key``: an EC public key (PEM). The bundle's key hint, when present, must match it.
- ``certificate``: the signing certificate to expect (``certificate``, pinned: the bundle's
  signing certificate must be one of those given) and/or trust anchors (``ca_bundle``: the
  bundle's signing certificate must chain, through the certificates the bundle carries,
  to one of them, checked at the certificate's start of validity as model_signing does).
- ``sigstore``: a keyless bundle, with the identity and OIDC issuer to expect (see
  :mod:`registry.signing.keyless` for what is and is not verified offline); ``ca_bundle``
  (Fulcio's certificates) adds the chain check.

A signature that does not verify, or files that differ from what it covers, is a finding
(exit 1, each file named); a malformed bundle, key or certificate is exit 4. Only a fully
successful verification is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from registry.catalog.variants import current_user
from registry.catalog.verify import locate
from registry.db.engine import Catalog
from registry.errors import InvalidInputError, SignatureFormatError
from registry.progress import NULL_PROGRESS, Progress
from registry.signing import keys
from registry.signing.bundle import PAYLOAD_TYPE, Bundle, read_bundle, signature_valid
from registry.signing.coverage import Coverage, compare
from registry.signing.records import digest_of, record_signature
from registry.signing.statement import StatementError, parse_statement


@dataclass(frozen=True)
class Trust:
    """What the verifier trusts: a key, certificates, CA anchors, or a keyless identity."""

    key: Path | None = None
    certificate: Path | None = None
    ca_bundle: Path | None = None
    identity: str | None = None
    issuer: str | None = None

    @property
    def method(self) -> str:
        keyless = self.identity is not None or self.issuer is not None
        if keyless and (self.identity is None or self.issuer is None):
            raise InvalidInputError("--identity and --issuer go together")
        chosen = [
            m
            for m, on in (
                ("key", self.key is not None),
                ("certificate", self.certificate is not None),
                ("sigstore", keyless),
            )
            if on
        ]
        if not chosen and self.ca_bundle is not None:
            chosen = ["certificate"]
        if len(chosen) != 1:
            raise InvalidInputError(
                "--signature needs exactly one of --key, --certificate/--ca-bundle, "
                "or --identity with --issuer"
            )
        if self.key is not None and self.ca_bundle is not None:
            raise InvalidInputError("--ca-bundle goes with --certificate or --identity, not --key")
        return chosen[0]


@dataclass
class Signer:
    key: ec.EllipticCurvePublicKey | None = None
    certificate: x509.Certificate | None = None
    identity: str | None = None
    issuer: str | None = None
    chain_verified: bool = False
    signed_at: dt.datetime | None = None
    problem: str | None = None
    verified: list[str] = field(default_factory=list)
    not_verified: list[str] = field(default_factory=list)


@dataclass
class SignatureVerification:
    name: str
    method: str
    bundle_sha256: str
    signer: Signer
    coverage: Coverage | None = None

    @property
    def ok(self) -> bool:
        return self.signer.problem is None and self.coverage is not None and self.coverage.ok

    def signer_summary(self) -> dict[str, Any]:
        s = self.signer
        return {
            "key_fingerprint": keys.key_fingerprint(s.key) if s.key else None,
            "certificate_fingerprint": keys.cert_fingerprint(s.certificate)
            if s.certificate
            else None,
            "identity": s.identity,
            "issuer": s.issuer,
            "chain_verified": s.chain_verified,
            "signed_at": s.signed_at.isoformat() if s.signed_at else None,
        }


def _leaf(bundle: Bundle, method: str) -> x509.Certificate:
    if not bundle.certificates:
        raise SignatureFormatError(
            f"the bundle carries no certificate, so it cannot be checked with the {method} "
            "method (was it signed with a key? use --key)"
        )
    return keys.parse_der(bundle.certificates[0])


def _certificate_signer(bundle: Bundle, trust: Trust) -> Signer:
    leaf = _leaf(bundle, "certificate")
    chain = [keys.parse_der(c) for c in bundle.certificates[1:]]
    signer = Signer(keys.cert_key(leaf), leaf, keys.identity_of(leaf), leaf.issuer.rfc4514_string())
    if trust.certificate is not None:
        pinned = keys.load_certificates(trust.certificate)
        if leaf not in pinned:
            signer.problem = (
                f"signed by the certificate of {signer.identity} "
                f"({keys.cert_fingerprint(leaf)[:16]}...), not the one given"
            )
            return signer
        signer.verified.append("signing certificate equals the one given")
    if trust.ca_bundle is not None:
        anchors = keys.load_certificates(trust.ca_bundle)
        reason = keys.verify_chain(leaf, chain, anchors, leaf.not_valid_before_utc)
        if reason is not None:
            signer.problem = f"the certificate chain does not verify: {reason}"
            return signer
        signer.verified.append("certificate chain to the CA bundle (at the certificate's start)")
    signer.chain_verified = True
    if not keys.usable_for_signing(leaf):
        signer.problem = "the signing certificate is not for digital signatures or code signing"
    return signer


def _keyless_signer(bundle: Bundle, trust: Trust) -> Signer:
    from registry.signing.keyless import examine

    leaf = _leaf(bundle, "sigstore")
    facts = examine(bundle, leaf)
    signer = Signer(keys.cert_key(leaf), leaf, trust.identity, facts.issuer)
    signer.signed_at = facts.integrated_time
    signer.verified, signer.not_verified = facts.verified, facts.unverified
    if trust.identity not in facts.identities:
        shown = ", ".join(facts.identities) or "none"
        signer.problem = f"the certificate's identity is {shown}, not {trust.identity}"
    elif facts.issuer != trust.issuer:
        signer.problem = f"the certificate's issuer is {facts.issuer}, not {trust.issuer}"
    elif facts.problems:
        signer.problem = facts.problems[0]
    if signer.problem is not None:
        return signer
    signer.verified.append("identity and issuer in the certificate")
    if trust.ca_bundle is not None:
        anchors = keys.load_certificates(trust.ca_bundle)
        at = facts.integrated_time or leaf.not_valid_before_utc
        chain = [keys.parse_der(c) for c in bundle.certificates[1:]]
        reason = keys.verify_chain(leaf, chain, anchors, at)
        if reason is not None:
            signer.problem = f"the certificate chain does not verify: {reason}"
            return signer
        signer.chain_verified = True
        signer.verified.append("certificate chain to the CA bundle at the log's time")
    else:
        signer.not_verified.append("certificate chain to Fulcio (give --ca-bundle)")
    return signer


def check_signer(bundle: Bundle, trust: Trust) -> Signer:
    """Who signed, and whether the signature verifies under what the caller trusts."""
    method = trust.method
    if bundle.payload_type != PAYLOAD_TYPE:
        raise SignatureFormatError(
            f"the envelope's payload type {bundle.payload_type!r} is not in-toto"
        )
    if method == "key":
        assert trust.key is not None
        signer = Signer(keys.load_public_key(trust.key))
        assert signer.key is not None
        fingerprint = keys.key_fingerprint(signer.key)
        if bundle.key_hint and bundle.key_hint != fingerprint:
            signer.problem = f"signed by key {bundle.key_hint[:16]}..., not {fingerprint[:16]}..."
            return signer
    elif method == "certificate":
        signer = _certificate_signer(bundle, trust)
    else:
        signer = _keyless_signer(bundle, trust)
    if signer.problem is None and signer.key is not None:
        if signature_valid(signer.key, bundle):
            signer.verified.insert(0, "DSSE signature over the in-toto statement")
        else:
            signer.problem = "the signature does not verify with the given key or certificate"
    return signer


def verify_signature(
    catalog: Catalog,
    name: str,
    bundle_path: Path,
    trust: Trust,
    *,
    path: Path | None = None,
    progress: Progress = NULL_PROGRESS,
) -> SignatureVerification:
    """Verify the bundle, then the files it covers; record a full success."""
    method = trust.method
    target = locate(catalog, name, path)
    bundle = read_bundle(bundle_path)
    signer = check_signer(bundle, trust)
    result = SignatureVerification(target.name, method, bundle.sha256, signer)
    if signer.problem is not None:
        return result
    try:
        manifest = parse_statement(bundle.payload)
    except StatementError as exc:
        raise SignatureFormatError(
            f"{bundle_path}: the signed statement is malformed: {exc}"
        ) from None
    root = target.root.resolve()
    exclude = []
    sig = Path(bundle_path).resolve()
    if sig.is_relative_to(root):
        exclude.append(sig.relative_to(root).as_posix())
    result.coverage = compare(root, target.files, manifest, exclude=exclude, progress=progress)
    if result.ok:
        summary = result.signer_summary()
        with catalog.session(write=True) as session:
            record_signature(
                session,
                target.variant_id,
                name,
                method=method,
                key_fingerprint=summary["key_fingerprint"],
                certificate_fingerprint=summary["certificate_fingerprint"],
                identity=signer.identity,
                issuer=signer.issuer,
                chain_verified=signer.chain_verified,
                bundle_sha256=bundle.sha256,
                files_digest=digest_of(target.files),
                location=str(result.coverage.root),
                signed_at=signer.signed_at,
                checks={"verified": signer.verified, "not_verified": signer.not_verified},
                verified_by=current_user(),
            )
    return result
