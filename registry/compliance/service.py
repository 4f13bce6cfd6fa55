"""``check`` as a library call: validate the request, gather facts, evaluate, log it.

Every check is stored in the check log with its inputs, findings, verdict, the digests of
the policy files that judged it, the time and the OS user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from registry.compliance.engine import evaluate
from registry.compliance.facts import model_facts, org_facts, signature_facts
from registry.compliance.model import CheckResult, Usage, verdict_of
from registry.compliance.policies import PolicySet
from registry.compliance.purposes import validate_attestations, validate_purposes, validate_use
from registry.compliance.store import RawDB
from registry.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from registry.audit.actor import Actor
    from registry.signing.trust import TrustList

# the config's [signing] trust list and where it came from
Signing = tuple["TrustList", str]


def os_user() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


@dataclass(frozen=True)
class CheckRequest:
    model: str
    org: str
    use: str
    public_name: str | None = None
    purposes: tuple[str, ...] = ()
    attestations: tuple[dict[str, str], ...] = ()
    end_user: bool = False
    deployment: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def make(
        cls,
        model: str,
        org: str,
        use: str,
        *,
        public_name: str | None = None,
        purposes: tuple[str, ...] | list[str] = (),
        attest: tuple[str, ...] | list[str] = (),
        end_user: bool = False,
        by: str | None = None,
    ) -> CheckRequest:
        """Validate words from the command line; attestations are recorded as by/at now."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        kinds = validate_attestations(attest)
        return cls(
            model=model,
            org=org,
            use=validate_use(use),
            public_name=public_name,
            purposes=validate_purposes(purposes),
            attestations=tuple({"kind": k, "by": by or "", "at": at} for k in kinds),
            end_user=end_user,
        )


@dataclass(frozen=True)
class CheckSpec:
    """What to check: a variant for an organisation and use, one deployment, or all of them."""

    variant: str | None = None
    org: str | None = None
    use: str | None = None
    public_name: str | None = None
    purposes: tuple[str, ...] = ()
    attest: tuple[str, ...] = ()
    end_user: bool = False
    deployment: str | None = None
    all: bool = False

    def validate(self) -> CheckSpec:
        """Refuse a malformed request before any database is touched."""
        modes = [self.variant is not None, self.deployment is not None, self.all]
        if sum(1 for m in modes if m) != 1:
            raise InvalidInputError("give exactly one of VARIANT, --deployment NAME, --all")
        if self.variant is not None:
            if not self.org:
                raise InvalidInputError("--org is required (or set default_org / MODELREG_ORG)")
            if not self.use:
                raise InvalidInputError(
                    "--use is required: research, internal, service or distribute"
                )
            validate_use(self.use)
            validate_purposes(self.purposes)
            validate_attestations(self.attest)
        elif (
            self.org
            or self.use
            or self.public_name
            or self.purposes
            or self.attest
            or self.end_user
        ):
            raise InvalidInputError("--org/--use/... describe a VARIANT check, not a deployment")
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "org": self.org,
            "use": self.use,
            "public_name": self.public_name,
            "purposes": list(self.purposes),
            "attest": list(self.attest),
            "end_user": self.end_user,
            "deployment": self.deployment,
            "all": self.all,
        }


def run_checks(
    db: RawDB,
    policies: PolicySet,
    spec: CheckSpec,
    actor: Actor,
    *,
    local_evidence: bool = True,
    signing: Signing | None = None,
) -> list[CheckResult]:
    """Evaluate what ``spec`` asks and record each check (log and audit trail).

    ``local_evidence``: read NOTICE/LICENSE files from the checkpoint directory when it is
    here (the CLI); the server passes False and uses the texts recorded at registration.
    ``signing``: when it requires signatures, a deployment check adds the ``signature``
    finding.
    """
    spec.validate()
    if spec.variant is not None:
        assert spec.org is not None and spec.use is not None
        requests = [
            CheckRequest.make(
                spec.variant,
                spec.org,
                spec.use,
                public_name=spec.public_name,
                purposes=list(spec.purposes),
                attest=list(spec.attest),
                end_user=spec.end_user,
                by=actor.name,
            )
        ]
    elif spec.deployment is not None:
        requests = [deployment_request(db, spec.deployment)]
    else:
        requests = all_deployment_requests(db)
    results = [
        run_check(db, policies, req, local_evidence=local_evidence, signing=signing)
        for req in requests
    ]
    for result in results:
        record_check(db, result, actor)
    if spec.variant is None:  # a deployment's check says whether it is released
        from dataclasses import replace

        from registry.releases.workflow import deployment_state

        results = [
            replace(r, release=deployment_state(db, policies, str(r.deployment))) for r in results
        ]
    return results


def run_check(
    db: RawDB,
    policies: PolicySet,
    req: CheckRequest,
    *,
    local_evidence: bool = True,
    signing: Signing | None = None,
) -> CheckResult:
    """Evaluate one request against the catalog (no write)."""
    vid, model = model_facts(db, req.model, policies, local_evidence=local_evidence)
    months = sorted(
        {
            p.measured_month
            for p in policies.policies.values()
            if p.measured_month and "mau-threshold" in p.rules
        }
    )
    org = org_facts(db, req.org, months)
    usage = Usage(
        use=req.use,
        public_name=req.public_name or req.model,
        purposes=req.purposes,
        attestations=tuple(a["kind"] for a in req.attestations),
        end_user=req.end_user,
    )
    inputs = {
        "model": req.model,
        "org": req.org,
        "use": req.use,
        "public_name": usage.public_name,
        "purposes": list(req.purposes),
        "attestations": [dict(a) for a in req.attestations],
        "end_user": req.end_user,
        "deployment": req.deployment,
        "country": org.country,
        "family": list(org.family),
        "modalities": list(model.modalities),
        "evidence_files": list(
            dict.fromkeys(n for n, _ in model.evidence.notice_texts + model.evidence.license_texts)
        ),
    }
    result = evaluate(model, org, usage, policies, inputs=inputs, deployment=req.deployment)
    if signing is None or not signing[0].require or req.deployment is None:
        return result
    from dataclasses import replace

    from registry.compliance.rules import signature

    trust, where = signing
    records, current = signature_facts(db, vid)
    finding = signature.evaluate(
        req.model, model.declared[0], trust, records, current, f"[signing] in {where}"
    )
    inputs["signing"] = {
        "trusted_keys": list(trust.keys),
        "trusted_identities": [[t.identity, t.issuer] for t in trust.identities],
    }
    findings = (*result.findings, finding)
    return replace(result, findings=findings, verdict=verdict_of(findings))


def record_check(db: RawDB, result: CheckResult, actor: Actor) -> None:
    """Append the check to the check log and the audit trail (its own short transaction)."""
    from registry.audit.raw import record_raw

    db.execute(
        "INSERT INTO check_log (checked_at, os_user, variant_name, org_name, use, "
        "deployment_name, verdict, inputs, findings, policy_digests) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            db.timestamp_param(dt.datetime.now(dt.UTC)),
            actor.name,
            result.model,
            result.org,
            result.use,
            result.deployment,
            result.verdict,
            db.json_param(result.inputs),
            db.json_param([f.to_dict() for f in result.findings]),
            db.json_param(result.policy_digests),
        ),
    )
    after = {
        "org": result.org,
        "use": result.use,
        "deployment": result.deployment,
        "verdict": result.verdict,
    }
    db.begin_write()  # after the insert: the lock is held for the append and the commit only
    record_raw(db, actor, "check.run", result.model, after=after)
    db.commit()


_DEPLOYMENT_SQL = """
SELECT d.name, v.name, o.name, d.use, d.public_name, d.purposes, d.attestations, d.end_user
FROM deployments d JOIN variants v ON v.id = d.variant_id JOIN organisations o ON o.id = d.org_id
"""


def _request_from_row(db: RawDB, row: tuple[Any, ...]) -> CheckRequest:
    name, model, org, use, public_name, purposes, attestations, end_user = row
    return CheckRequest(
        model=str(model),
        org=str(org),
        use=str(use),
        public_name=public_name,
        purposes=tuple(db.json_value(purposes) or ()),
        attestations=tuple(db.json_value(attestations) or ()),
        end_user=bool(end_user),
        deployment=str(name),
    )


def deployment_request(db: RawDB, name: str) -> CheckRequest:
    rows = db.rows(_DEPLOYMENT_SQL + " WHERE d.name = ?", (name,))
    if not rows:
        raise NotFoundError(f"no deployment named {name!r}")
    return _request_from_row(db, rows[0])


def all_deployment_requests(db: RawDB) -> list[CheckRequest]:
    return [_request_from_row(db, r) for r in db.rows(_DEPLOYMENT_SQL + " ORDER BY d.name")]


def history(
    db: RawDB, variant: str, *, after: int | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """The check log of a variant, oldest first (``after``: ids above it, for paging)."""
    out = []
    sql = (
        "SELECT id, checked_at, os_user, org_name, use, deployment_name, verdict, inputs, "
        "findings, policy_digests FROM check_log WHERE variant_name = ? AND id > ? ORDER BY id"
    )
    params: tuple[Any, ...] = (variant, after or 0)
    if limit is not None:
        sql += " LIMIT ?"
        params += (limit,)
    for row in db.rows(sql, params):
        cid, at, user, org, use, dep, verdict, inputs, findings, digests = row
        out.append(
            {
                "id": int(cid),
                "checked_at": db.timestamp_value(at).isoformat(),
                "os_user": user,
                "model": variant,
                "org": org,
                "use": use,
                "deployment": dep,
                "verdict": verdict,
                "inputs": db.json_value(inputs),
                "findings": db.json_value(findings),
                "policy_digests": db.json_value(digests),
            }
        )
    return out
