"""Sigstore keyless bundles, checked offline against the bundle's own material.

The network is not reachable, so the test plays Fulcio and Rekor: a CA issues a short-lived
code-signing certificate carrying the identity (an e-mail SAN) and the OIDC issuer
extension, the DSSE envelope is signed with its key, and a ``dsse`` 0.0.1 log entry records
the envelope the way Rekor does. The Rekor signature over the entry cannot be checked
offline (see registry/signing/keyless.py) and is not produced here.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from registry.signing.bundle import sign_payload
from tests.conftest import Cli
from tests.signing import pki
from tests.signing.conftest import Signed
from tests.signing.test_interop import ms_sign_key, records

# sign and verify --signature read the files and write the catalog database directly;
# through a team server they refuse (test_remote_mode_refuses_signing)
pytestmark = pytest.mark.direct_only

ISSUER = "https://accounts.example.com"


def keyless_bundle(m: Signed, tmp_path: Path, *, log_payload: bytes | None = None) -> Path:
    """Re-sign model_signing's statement as a keyless signer would."""
    chain = pki.make_chain("dev@example.com", oidc_issuer=ISSUER, leaf_days=0.01)
    template = json.loads(ms_sign_key(m, tmp_path / "key.sig").read_text())
    payload = base64.b64decode(template["dsseEnvelope"]["payload"])
    sig = sign_payload(chain.leaf_key, payload)
    pem = chain.leaf.public_bytes(serialization.Encoding.PEM)
    body = {
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": {"algorithm": "sha256", "value": "0" * 64},
            "payloadHash": {
                "algorithm": "sha256",
                "value": hashlib.sha256(log_payload or payload).hexdigest(),
            },
            "signatures": [
                {
                    "signature": base64.b64encode(sig).decode(),
                    "verifier": base64.b64encode(pem).decode(),
                }
            ],
        },
    }
    integrated = int(chain.leaf.not_valid_before_utc.timestamp()) + 60
    bundle = {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": {
                "rawBytes": base64.b64encode(
                    chain.leaf.public_bytes(serialization.Encoding.DER)
                ).decode()
            },
            "tlogEntries": [
                {
                    "logIndex": "1",
                    "logId": {"keyId": base64.b64encode(b"rekor").decode()},
                    "kindVersion": {"kind": "dsse", "version": "0.0.1"},
                    "integratedTime": str(integrated),
                    "inclusionPromise": {"signedEntryTimestamp": base64.b64encode(b"x").decode()},
                    "canonicalizedBody": base64.b64encode(json.dumps(body).encode()).decode(),
                }
            ],
        },
        "dsseEnvelope": {
            "payload": template["dsseEnvelope"]["payload"],
            "payloadType": "application/vnd.in-toto+json",
            "signatures": [{"sig": base64.b64encode(sig).decode(), "keyid": ""}],
        },
    }
    out = tmp_path / "keyless.sig"
    out.write_text(json.dumps(bundle))
    pki.write_certs(tmp_path / "fulcio.pem", chain.intermediate, chain.root)
    return out


def test_keyless_bundle_with_identity_issuer_and_fulcio_chain(
    cli: Cli, registered: Signed, tmp_path: Path
) -> None:
    sig = keyless_bundle(registered, tmp_path)
    args = ["verify", "m", "--signature", sig, "--identity", "dev@example.com"]
    res = cli(*args, "--issuer", ISSUER, "--ca-bundle", tmp_path / "fulcio.pem")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert "verified: log entry body records this envelope" in res.stdout
    assert "not verified offline: Rekor signed entry timestamp" in res.stdout
    plain = cli(*args, "--issuer", ISSUER, "--format", "json")
    assert plain.exit_code == 0
    assert (
        "certificate chain to Fulcio (give --ca-bundle)" in plain.json()["checks"]["not_verified"]
    )  # type: ignore[index]
    got = records(cli)
    assert [(r[0], r[2], r[3]) for r in got] == [
        ("sigstore", "dev@example.com", True),
        ("sigstore", "dev@example.com", False),
    ]


def test_keyless_wrong_identity_issuer_or_log_entry_fails(
    cli: Cli, registered: Signed, tmp_path: Path
) -> None:
    sig = keyless_bundle(registered, tmp_path)
    base = ["verify", "m", "--signature", sig]
    res = cli(*base, "--identity", "eve@example.com", "--issuer", ISSUER)
    assert res.exit_code == 1 and "not eve@example.com" in res.stdout
    res = cli(*base, "--identity", "dev@example.com", "--issuer", "https://other.example")
    assert res.exit_code == 1 and "issuer" in res.stdout
    bad = keyless_bundle(registered, tmp_path, log_payload=b"something else")
    res = cli(
        "verify", "m", "--signature", bad, "--identity", "dev@example.com", "--issuer", ISSUER
    )
    assert res.exit_code == 1 and "log entry records a different payload" in res.stdout
    assert records(cli) == []
