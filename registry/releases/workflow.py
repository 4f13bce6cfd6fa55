"""Request, approve and reject releases; read them with their state; a deployment's state.

A release's *state* is its stored status, except that an approved release whose evidence no
longer matches the catalog (or that the server's sweep already recorded as stale) is
``stale``. A deployment is ``released`` when its newest approved release is fresh, else
``pending`` when a request waits, else ``stale`` when its newest approved release is stale,
else ``none``.

Who may do what: requesting needs the contributor role for the variant's namespace,
deciding the approver role there, and the approver cannot be the requester (on a direct
database both are OS users: another account must approve). A request is refused (exit 1)
when the check is non-compliant, when the latest verification is missing, not ``ok`` or
older than ``[release] max_verify_age``, and, with ``require_smoke``, without a passing smoke
run; one deployment has at most one pending request. A pending release is approved only
while its evidence still holds.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from registry.audit.raw import record_raw
from registry.compliance.policies import PolicySet
from registry.compliance.store import RawDB
from registry.errors import (
    AlreadyExistsError,
    InvalidInputError,
    PermissionDeniedError,
    ReleaseRefusedError,
)
from registry.releases import records
from registry.releases.rules import ReleaseRules
from registry.releases.staleness import current_causes, current_facts

if TYPE_CHECKING:
    from registry.audit.actor import Actor
    from registry.compliance.service import Signing
    from registry.identity.roles import Principal

STATES = ("pending", "approved", "rejected", "stale")
DEPLOYMENT_STATES = ("released", "pending", "stale", "none")
MAX_TEXT = 4000


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _text(value: str | None, what: str, required: bool) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInputError(f"{what} is required: say why")
    if len(text) > MAX_TEXT:
        raise InvalidInputError(f"{what} is longer than {MAX_TEXT} characters")
    return text or None


def with_state(
    db: RawDB,
    policies: PolicySet,
    rel: dict[str, Any],
    *,
    detail: bool = True,
    memo: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The release with ``state`` and ``causes``: what differs from its evidence now (an
    approved release is then stale; a pending one, whose causes are computed only with
    ``detail``, can no longer be approved). ``memo`` keeps the facts gathered now for each
    deployment, for the next release of the same deployment."""
    causes: list[dict[str, str]] = []
    state = rel["status"]
    if state == "approved" or (state == "pending" and detail):
        if rel["evidence"] is None:  # listed without it: only the ones compared read it
            rel = {**rel, "evidence": records.evidence_of(db, rel["id"])}
        dep = rel["deployment"]
        now = memo.get(dep) if memo is not None else None
        if now is None:
            now = current_facts(db, policies, dep)
            if memo is not None:
                memo[dep] = now
        causes = current_causes(db, policies, rel["evidence"], now)
    if state == "approved" and (causes or rel["stale_at"]):
        state = "stale"
    return {**rel, "state": state, "causes": causes}


def _brief(rel: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rel.items() if k != "evidence"}


def request(
    db: RawDB,
    policies: PolicySet,
    rules: ReleaseRules,
    deployment: str,
    note: str | None,
    actor: Actor,
    principal: Principal | None,
    *,
    local_evidence: bool = True,
    signing: Signing | None = None,
) -> dict[str, Any]:
    """Check the deployment, gather and freeze its evidence, record a pending release."""
    from registry.catalog.variants import namespace_of
    from registry.compliance.service import deployment_request, record_check, run_check
    from registry.releases.evidence import digest, gather

    note = _text(note, "--note", required=False)
    req = deployment_request(db, deployment)
    namespace = namespace_of(req.model)
    if principal is not None:
        principal.require("contributor", namespace)
    result = run_check(db, policies, req, local_evidence=local_evidence, signing=signing)
    record_check(db, result, actor)
    if result.verdict == "non_compliant":
        failed = "; ".join(
            f"{f.rule} ({f.license}): {f.reason}" for f in result.findings if f.status == "fail"
        )
        raise ReleaseRefusedError(f"deployment {deployment} is non-compliant: {failed}")
    evidence = gather(db, policies, req, result)
    _require_evidence(evidence, rules, req.model)
    sha = digest(evidence)
    now = _now()
    db.begin_write()
    if records.select(db, status="pending", deployment=deployment, limit=1, evidence=False):
        raise AlreadyExistsError(
            f"deployment {deployment} already has a pending release request",
            hint="approve or reject it first (`modelreg release list --status pending`)",
        )
    fields = {
        "deployment": deployment,
        "variant": req.model,
        "namespace": namespace,
        "org": req.org,
        "verdict": result.verdict,
        "note": note,
        "evidence": evidence,
        "evidence_sha256": sha,
        "requested_by": actor.name,
    }
    rid = records.insert(db, fields, now)
    after = {"id": rid, "variant": req.model, "verdict": result.verdict, "evidence_sha256": sha}
    record_raw(db, actor, "release.request", deployment, after=after)
    db.commit()
    return show(db, policies, rid)


def _require_evidence(evidence: dict[str, Any], rules: ReleaseRules, model: str) -> None:
    found = evidence["verification"]
    if found is None:
        raise ReleaseRefusedError(
            f"{model} has never been verified: a release needs a recent ok verification",
            hint=f"run `modelreg verify {model}`",
        )
    if not found["ok"]:
        raise ReleaseRefusedError(
            f"the latest verification of {model} (#{found['id']}, {found['verified_at']}) "
            "is not ok",
            hint=f"restore the files and run `modelreg verify {model}`",
        )
    age = _now() - dt.datetime.fromisoformat(found["verified_at"])
    if age > rules.max_verify_age:
        days = rules.max_verify_age.total_seconds() / 86400
        raise ReleaseRefusedError(
            f"the latest verification of {model} is {age.days} day(s) old; "
            f"[release] max_verify_age is {days:g} day(s) ({rules.source})",
            hint=f"run `modelreg verify {model}`",
        )
    if rules.require_smoke and evidence["smoke"] is None:
        raise ReleaseRefusedError(
            f"{model} has no passing smoke run, which [release] require_smoke demands "
            f"({rules.source})",
            hint=f"run `modelreg smoke {model}`",
        )


def decide(
    db: RawDB,
    policies: PolicySet,
    release_id: int,
    approve: bool,
    reason: str | None,
    actor: Actor,
    principal: Principal | None,
) -> dict[str, Any]:
    """Approve or reject a pending release (approver of its namespace, not its requester)."""
    reason = _text(reason, "--reason", required=True)
    rel = records.get(db, release_id)
    if principal is not None:
        principal.require("approver", rel["namespace"])
    if rel["requested_by"] == actor.name:
        raise PermissionDeniedError(
            f"permission denied: {actor.name} requested release #{release_id} and cannot "
            "decide it; another approver must"
        )
    if rel["status"] != "pending":
        raise InvalidInputError(f"release #{release_id} is already {rel['status']}")
    if approve:
        causes = current_causes(db, policies, rel["evidence"])
        if causes:
            raise ReleaseRefusedError(
                f"the evidence of release #{release_id} changed since it was requested: "
                + "; ".join(c["what"] for c in causes),
                hint="reject it and request the release again",
            )
    status = "approved" if approve else "rejected"
    db.begin_write()
    if not records.decide(db, release_id, status, actor.name, str(reason), _now()):
        raise InvalidInputError(f"release #{release_id} was decided meanwhile")
    action = "release.approve" if approve else "release.reject"
    after = {"id": release_id, "status": status, "reason": reason}
    record_raw(db, actor, action, rel["deployment"], before={"status": "pending"}, after=after)
    db.commit()
    return show(db, policies, release_id)


def show(db: RawDB, policies: PolicySet, release_id: int) -> dict[str, Any]:
    """One release with its evidence, its state and what changed since."""
    return with_state(db, policies, records.get(db, release_id))


def listing(
    db: RawDB,
    policies: PolicySet,
    *,
    state: str | None = None,
    deployment: str | None = None,
    variant: str | None = None,
    after: int | None = None,
    limit: int | None = None,
    memo: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Releases, newest first, each with its state (``state`` filters on it); the causes of
    a pending release are left to :func:`show`."""
    if state is not None and state not in STATES:
        raise InvalidInputError(f"unknown release state {state!r}; use {', '.join(STATES)}")
    status = "approved" if state in ("approved", "stale") else state
    out: list[dict[str, Any]] = []
    memo = {} if memo is None else memo
    while True:
        want = 200 if limit is None else max(limit - len(out), 1)
        page = records.select(
            db,
            status=status,
            deployment=deployment,
            variant=variant,
            after=after,
            limit=want,
            newest_first=True,
            evidence=False,
        )
        for rel in page:
            view = with_state(db, policies, rel, detail=False, memo=memo)
            if state is None or view["state"] == state:
                out.append(_brief(view))
        if len(page) < want or (limit is not None and len(out) >= limit):
            return out if limit is None else out[:limit]
        after = page[-1]["id"]


def deployment_state(
    db: RawDB, policies: PolicySet, deployment: str, memo: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``released``, ``pending``, ``stale`` or ``none``, with the releases that say so
    (``memo``: facts already gathered, as in :func:`with_state`)."""
    approved = records.select(
        db, status="approved", deployment=deployment, limit=1, newest_first=True
    )
    pending = records.select(db, status="pending", deployment=deployment, limit=1, evidence=False)
    latest = with_state(db, policies, approved[0], memo=memo) if approved else None
    out: dict[str, Any] = {
        "state": "none",
        "release": None,
        "pending": pending[0]["id"] if pending else None,
        "causes": [],
    }
    if latest is not None:
        out["release"] = latest["id"]
        out["approved_by"] = latest["decided_by"]
        out["approved_at"] = latest["decided_at"]
        out["causes"] = latest["causes"] or latest["stale_causes"]
    if latest is not None and latest["state"] == "approved":
        out["state"] = "released"
    elif pending:
        out["state"] = "pending"
    elif latest is not None:
        out["state"] = "stale"
    return out
