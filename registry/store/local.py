"""The store over a catalog database: the CLI on a direct database, and the server itself.

Each method is one library call in one transaction (writes in a write session carrying the
actor the audit trail names). ``principal`` is the server's authenticated user, which the
rules on roles and tokens need; on a direct database it is None (the operator).
``local_evidence`` False (the server) makes checks use the NOTICE/LICENSE texts recorded at
registration instead of reading the file system.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from registry.audit.actor import Actor, os_actor
from registry.errors import AlreadyExistsError
from registry.progress import NULL_PROGRESS, Progress
from registry.store.connections import Connections
from registry.store.release_ops import LocalReleaseOps

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from registry.audit.trail import AuditFilter
    from registry.catalog.listing import VariantFilter
    from registry.catalog.registration import Registration
    from registry.catalog.shards import Shard
    from registry.catalog.verifications import VerificationOutcome
    from registry.catalog.verify_records import RecordedFiles
    from registry.compliance.model import CheckResult
    from registry.compliance.service import CheckSpec
    from registry.formats.bom_input import ModelBom
    from registry.identity.roles import Principal
    from registry.smoke.records import Judgement, SmokeSubject
    from registry.smoke.runner import SmokeResult

PAGE = 1000
ATTEMPTS = 3
T = TypeVar("T")


def _conflict(exc: BaseException) -> bool:
    """A write that lost to a concurrent one: worth running again."""
    from registry.errors import DatabaseError

    if isinstance(exc, DatabaseError):
        return "deadlock detected" in exc.message or "could not serialize" in exc.message
    from sqlalchemy import exc as sa_exc  # only the ORM's writers raise its errors

    return isinstance(exc, sa_exc.IntegrityError)


class LocalStore(LocalReleaseOps):
    def __init__(
        self,
        conns: Connections,
        *,
        actor: Actor | None = None,
        principal: Principal | None = None,
        local_evidence: bool = True,
    ) -> None:
        self.conns = conns
        self.actor = actor or os_actor()
        self.principal = principal
        self.local_evidence = local_evidence

    def _write(self) -> Any:
        return self.conns.catalog().session(write=True, actor=self.actor)

    def _tx(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a write transaction, again if a concurrent writer got in its way.

        Writers on PostgreSQL run side by side until they append to the audit trail (see
        :mod:`registry.audit.log`); two that insert the same new row (a MAU month, a name)
        collide on a constraint, and one that loses a deadlock is aborted. Re-running the
        unit of work lets the library see the other's row and do the right thing (update
        it, or refuse a duplicate with its usual message).
        """
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self._write() as s:
                    return work(s)
            except Exception as exc:
                if not _conflict(exc):
                    raise
                if attempt == ATTEMPTS:
                    raise AlreadyExistsError(
                        "the catalog changed while this was being written; try again"
                    ) from None
        raise AssertionError("unreachable")

    def _read(self) -> Any:
        return self.conns.catalog().session(actor=self.actor)

    @staticmethod
    def _if_match(session: Any, kind: str, name: str, if_match: str | None) -> None:
        from registry.catalog.versions import require_version

        require_version(session, kind, name, if_match)

    def close(self) -> None:
        self.conns.close()

    # -- variants ---------------------------------------------------------------------------
    def variant_exists(self, name: str) -> bool:
        with self.conns.reader() as r:
            return r.row("SELECT id FROM variants WHERE name = :name", {"name": name}) is not None

    def find_by_source(self, sources: Sequence[str]) -> str | None:
        from registry.catalog.listing import VariantFilter

        rows = self.variants(VariantFilter(sources=tuple(sources)), limit=1)
        found = next(rows, None)
        rows.close()  # gives a pooled connection back at once
        return None if found is None else str(found["name"])

    def prepare_write(self) -> None:
        """Open the connection ``register`` writes on (and import what it runs)."""
        import registry.catalog.variant_insert  # noqa: F401

        with self.conns.raw():
            pass

    def register(self, reg: Registration, *, progress: Progress = NULL_PROGRESS) -> dict[str, Any]:
        """One transaction on the plain DBAPI under the write lock (``add`` starts without
        SQLAlchemy); run again if it lost a deadlock to a concurrent writer."""
        from registry.catalog.registration import register_manifest
        from registry.errors import DatabaseError

        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self.conns.raw() as db:
                    register_manifest(db, self.actor, reg, progress)
                    db.commit()
                break
            except DatabaseError as exc:
                if not _conflict(exc) or attempt == ATTEMPTS:
                    raise
        return self.describe(reg.name)

    def variants(
        self,
        flt: VariantFilter | None = None,
        *,
        after: str | None = None,
        limit: int | None = None,
    ) -> Generator[dict[str, Any], None, None]:
        from registry.catalog.listing import VariantFilter, select_variants, summary

        with self.conns.reader() as r:
            sql, params = select_variants(r, flt or VariantFilter(), after=after, limit=limit)
            for row in r.stream(sql, params):
                yield summary(row)

    def describe(self, name: str) -> dict[str, Any]:
        from registry.catalog.describe import describe

        with self.conns.reader() as r:
            return describe(r, name)

    def lineage(self, name: str) -> dict[str, Any]:
        from registry.catalog.describe import lineage

        with self.conns.reader() as r:
            return lineage(r, name)

    def link(self, child: str, parent: str, relation: str, *, if_match: str | None = None) -> None:
        from registry.catalog.variants import link_parent

        def work(s: Session) -> Any:
            self._if_match(s, "variant", child, if_match)
            link_parent(s, child, parent, relation)

        self._tx(work)

    def remove(self, name: str, *, if_match: str | None = None) -> None:
        from registry.catalog.variants import remove_variant

        def work(s: Session) -> Any:
            self._if_match(s, "variant", name, if_match)
            remove_variant(s, name)

        self._tx(work)

    def bom(self, name: str) -> ModelBom:
        from registry.catalog.bom import collect_model_bom

        with self.conns.reader() as r:
            return collect_model_bom(r, name)

    # -- verification and smoke runs ---------------------------------------------------------
    def recorded_files(
        self,
        names: Sequence[str],
        all_: bool,
        *,
        shard: Shard | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[RecordedFiles]:
        from registry.catalog.verify_records import recorded_files

        with self.conns.reader() as r:
            return recorded_files(r, names, all_, shard=shard, after=after, limit=limit)

    def record_verification(self, outcome: VerificationOutcome) -> dict[str, Any]:
        """One transaction on the plain DBAPI (``verify`` starts without SQLAlchemy): the
        record, the fresh stats and the audit event ``verify.record``."""
        from registry.catalog.verifications import record_verification

        with self.conns.raw() as db:
            return record_verification(db, self.actor, outcome)

    def verifications(
        self, name: str, *, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        from registry.catalog.verifications import verification_history

        with self.conns.reader() as r:
            return verification_history(r, name, after=after, limit=limit)

    def verify_summary(
        self, since: dt.datetime | None, *, after: str | None = None, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        from registry.catalog.verifications import verify_summary

        with self.conns.reader() as r:
            yield from verify_summary(r, since, after=after, limit=limit)

    def smoke_subjects(
        self,
        names: Sequence[str],
        all_: bool,
        *,
        shard: Shard | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[SmokeSubject]:
        from registry.smoke.records import smoke_subjects

        with self._read() as s:
            return smoke_subjects(s, names, all_, shard=shard, after=after, limit=limit)

    def ready(self) -> str:
        """The schema revision, once the database answers and is at head."""
        from registry.db.engine import check_ready

        return check_ready(self.conns.catalog())

    def has_passing_run(self, digest: str, device_type: str, dtype: str) -> bool:
        from registry.smoke.records import has_passing_run

        with self._read() as s:
            return has_passing_run(s, digest, device_type, dtype)

    def record_smoke(
        self, name: str, result: SmokeResult, accept_drift: bool
    ) -> tuple[int, Judgement]:
        from registry.smoke.records import record_run

        def work(s: Session) -> tuple[int, Judgement]:
            run, verdict = record_run(s, name, result, accept_drift)
            return run.id, verdict

        return self._tx(work)

    def smoke_runs(
        self, name: str, *, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        from registry.smoke.records import run_history

        with self._read() as s:
            return run_history(s, name, after=after, limit=limit)

    def smoke_summary(
        self, since: dt.datetime | None, *, after: str | None = None, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        from registry.smoke.summary import smoke_summary

        with self.conns.reader() as r:
            yield from smoke_summary(r, since, after=after, limit=limit)

    # -- organisations, deployments, checks, policies ----------------------------------------
    def org_add(self, name: str, *, country: str | None, parent: str | None) -> dict[str, Any]:
        from registry.catalog.orgs import add_org

        def work(s: Session) -> Any:
            org = add_org(s, name, country=country, parent=parent)
            return {"name": org.name, "country": org.country, "parent": parent}

        return self._tx(work)

    def org_set(
        self,
        name: str,
        *,
        country: str | None,
        parent: str | None,
        clear_parent: bool,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        from registry.catalog.orgs import show_org, update_org

        def work(s: Session) -> Any:
            self._if_match(s, "org", name, if_match)
            update_org(s, name, country=country, parent=parent, clear_parent=clear_parent)
            return dataclasses.asdict(show_org(s, name))

        return self._tx(work)

    def org_mau(
        self, name: str, month: str, users: object, *, if_match: str | None = None
    ) -> dict[str, Any]:
        from registry.catalog.orgs import set_mau

        def work(s: Session) -> Any:
            self._if_match(s, "org", name, if_match)
            row, old = set_mau(s, name, month, users)
            return {"org": name, "month": row.month, "users": row.users, "previous": old}

        return self._tx(work)

    def org_grant(
        self, name: str, license_id: str, reference: str, *, if_match: str | None = None
    ) -> dict[str, Any]:
        from registry.catalog.orgs import add_grant

        policy = self.conns.policies().get(license_id)

        def work(s: Session) -> Any:
            self._if_match(s, "org", name, if_match)
            add_grant(s, name, policy.id, reference)

        self._tx(work)
        return {"org": name, "license": policy.id, "reference": reference}

    def orgs(self, *, after: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        from registry.catalog.orgs import list_orgs

        with self._read() as s:
            rows = list_orgs(s, after=after, limit=limit)
        return [{"name": n, "country": c, "parent": p} for n, c, p in rows]

    def org_show(self, name: str) -> dict[str, Any]:
        from registry.catalog.orgs import show_org

        with self._read() as s:
            return dataclasses.asdict(show_org(s, name))

    def deploy_add(
        self,
        name: str,
        *,
        model: str,
        org: str,
        use: str,
        public_name: str | None,
        purposes: Sequence[str],
        attestations: Sequence[str],
        end_user: bool,
    ) -> dict[str, Any]:
        from registry.catalog.deployments import add_deployment, get_deployment_view

        def work(s: Session) -> Any:
            dep = add_deployment(
                s,
                name,
                model=model,
                org=org,
                use=use,
                public_name=public_name,
                purposes=purposes,
                attestations=attestations,
                end_user=end_user,
            )
            return get_deployment_view(s, dep.name)

        return self._tx(work)

    def deploy_rm(self, name: str, *, if_match: str | None = None) -> None:
        from registry.catalog.deployments import remove_deployment

        def work(s: Session) -> Any:
            self._if_match(s, "deployment", name, if_match)
            remove_deployment(s, name)

        self._tx(work)

    def deployments(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        from registry.catalog.deployments import list_deployments

        with self._read() as s:
            return list_deployments(s, after=after, limit=limit)

    def deploy_show(self, name: str) -> dict[str, Any]:
        from registry.catalog.deployments import get_deployment_view

        with self._read() as s:
            return get_deployment_view(s, name)

    def check(self, spec: CheckSpec) -> list[CheckResult]:
        from registry.compliance.service import run_checks

        spec.validate()
        policies = self.conns.policies()
        with self.conns.raw() as db:
            return run_checks(
                db,
                policies,
                spec,
                self.actor,
                local_evidence=self.local_evidence,
                signing=self.conns.signing(),
            )

    def check_history(
        self, variant: str, *, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        from registry.compliance.service import history

        with self.conns.raw() as db:
            return history(db, variant, after=after, limit=limit)

    def policies(self) -> list[dict[str, Any]]:
        from registry.compliance.policy_docs import policy_summaries

        return policy_summaries(self.conns.policies())

    def policy(self, policy_id: str) -> dict[str, Any]:
        from registry.compliance.policy_docs import policy_doc

        return policy_doc(self.conns.policies().get(policy_id))

    # -- users, tokens, audit -----------------------------------------------------------------
    def whoami(self) -> dict[str, Any]:
        p = self.principal
        if p is None:
            return {"name": self.actor.name, "kind": "os", "roles": None, "scopes": None}
        roles = [{"role": r, "namespace": ns or None} for ns, r in sorted(p.roles.items())]
        return {
            "name": p.name,
            "kind": "user",
            "roles": roles,
            "scopes": sorted(p.scopes),
            "token_id": p.token_id,
        }

    def user_add(self, name: str, *, role: str | None, namespace: str | None) -> dict[str, Any]:
        from registry.identity.users import add_user

        def work(s: Session) -> Any:
            return add_user(s, name, role=role, namespace=namespace, granter=self.principal)

        return self._tx(work)

    def user_show(self, name: str) -> dict[str, Any]:
        from registry.identity.users import show_user

        with self._read() as s:
            return show_user(s, name)

    def users(self, *, after: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        from registry.identity.users import list_users

        with self._read() as s:
            return list_users(s, after=after, limit=limit)

    def role_grant(
        self, name: str, role: str, *, namespace: str | None, if_match: str | None = None
    ) -> dict[str, Any]:
        from registry.identity.users import grant_role

        def work(s: Session) -> Any:
            self._if_match(s, "user", name, if_match)
            return grant_role(s, name, role, namespace=namespace, granter=self.principal)

        return self._tx(work)

    def role_revoke(
        self, name: str, *, namespace: str | None, if_match: str | None = None
    ) -> dict[str, Any]:
        from registry.identity.users import revoke_role

        def work(s: Session) -> Any:
            self._if_match(s, "user", name, if_match)
            return revoke_role(s, name, namespace=namespace, granter=self.principal)

        return self._tx(work)

    def token_create(
        self, user: str, *, scopes: list[str] | None, expires: str | None, label: str | None
    ) -> tuple[dict[str, Any], str]:
        from registry.identity.tokens import create_token

        def work(s: Session) -> tuple[dict[str, Any], str]:
            return create_token(
                s, user, scopes=scopes, expires=expires, label=label, granter=self.principal
            )

        return self._tx(work)

    def tokens(
        self, *, user: str | None = None, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        from registry.identity.tokens import list_tokens

        with self._read() as s:
            return list_tokens(s, user=user, after=after, limit=limit)

    def token_revoke(self, ref: str) -> dict[str, Any]:
        from registry.identity.tokens import revoke_token

        def work(s: Session) -> Any:
            return revoke_token(s, ref, granter=self.principal)

        return self._tx(work)

    def audit(
        self, flt: AuditFilter, *, after: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        from registry.audit.trail import list_events

        out: list[dict[str, Any]] = []
        with self._read() as s:
            while True:
                want = PAGE if limit is None else limit
                page = list_events(s, flt, after=after, limit=want)
                out.extend(page)
                if limit is not None or len(page) < want:
                    return out
                after = page[-1]["seq"]

    def audit_verify(self, expect_head: str | None) -> dict[str, Any]:
        from registry.audit.trail import verify_trail

        with self._read() as s:
            return verify_trail(s, expect_head).to_dict()
