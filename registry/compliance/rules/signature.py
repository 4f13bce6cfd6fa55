"""``signature``: a deployment's model must carry a verified signature from a trusted signer.

Not a license rule: it applies to ``check --deployment`` and ``check --all`` when the config
file's ``[signing]`` table sets ``require = true``. It passes when the catalog holds a
signature verification (``modelreg verify NAME --signature ...``) for the deployed variant
whose signing key is in ``trusted_keys``, or whose certificate identity (and issuer, when
given) is in ``trusted_identities`` with its certificate chain verified, and whose
``files_digest`` still equals that of the variant's registered files. It fails otherwise,
naming what was found. The clause cites the config file's ``[signing]`` table.
"""

from __future__ import annotations

from collections.abc import Sequence

from registry.compliance.model import Finding
from registry.signing.trust import RecordFacts, TrustList

RULE_ID = "signature"


def evaluate(
    model: str,
    license_id: str,
    trust: TrustList,
    records: Sequence[tuple[RecordFacts, str]],
    current_digest: str,
    clause: str,
) -> Finding:
    """One finding from the model's signature records ``(facts, files_digest)``."""

    def done(status: str, reason: str) -> Finding:
        return Finding(RULE_ID, license_id, status, reason, clause, (model,))

    if not records:
        return done(
            "fail",
            f"no verified signature is recorded for {model}: "
            f"`modelreg verify {model} --signature FILE ...` records one",
        )
    stale = False
    for facts, digest in records:
        why = trust.accepts(facts)
        if why is None:
            continue
        if digest != current_digest:
            stale = True
            continue
        return done("pass", f"verified {facts.method} signature: {why}")
    if stale:
        return done("fail", "the trusted signature was recorded for other files than registered")
    signers = sorted(
        {
            f.identity if f.identity and f.chain_verified else f"key {f.key_fingerprint[:16]}..."
            for f, _ in records
        }
    )
    return done("fail", f"signed only by untrusted signers: {', '.join(signers)}")
