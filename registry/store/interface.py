"""The operations of modelreg as one protocol, implemented over a database and over HTTP.

Lists take ``after`` (a keyset cursor: the last name or id of the previous page) and
``limit`` (None: everything, as the CLI wants); those that may be the whole catalog
(variants, summaries) yield their rows as they come. Results are JSON-ready dictionaries (or the
library's plain dataclasses), identical for both implementations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from registry.store.release_ops import ReleaseStore

if TYPE_CHECKING:
    from registry.audit.trail import AuditFilter
    from registry.catalog.listing import VariantFilter
    from registry.catalog.registration import Registration
    from registry.catalog.shards import Shard
    from registry.catalog.verifications import VerificationOutcome
    from registry.catalog.verify_records import RecordedFiles
    from registry.compliance.model import CheckResult
    from registry.compliance.service import CheckSpec
    from registry.formats.bom_input import ModelBom
    from registry.progress import Progress
    from registry.smoke.records import Judgement, SmokeSubject
    from registry.smoke.runner import SmokeResult


class Store(ReleaseStore, Protocol):
    # -- variants ---------------------------------------------------------------------------
    def variant_exists(self, name: str) -> bool: ...

    def find_by_source(self, sources: Sequence[str]) -> str | None: ...

    def prepare_write(self) -> None:
        """Get ready to write while the caller works on local files (a catalog database
        loads the ORM and opens its engine; the team server needs nothing)."""
        ...

    def register(self, reg: Registration, *, progress: Progress) -> dict[str, Any]: ...

    def variants(
        self,
        flt: VariantFilter | None = None,
        *,
        after: str | None = None,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]: ...

    def describe(self, name: str) -> dict[str, Any]: ...

    def lineage(self, name: str) -> dict[str, Any]: ...

    def link(
        self, child: str, parent: str, relation: str, *, if_match: str | None = None
    ) -> None: ...

    def remove(self, name: str, *, if_match: str | None = None) -> None: ...

    def bom(self, name: str) -> ModelBom: ...

    # -- verification and smoke runs -----------------------------------------------------------
    def recorded_files(
        self,
        names: Sequence[str],
        all_: bool,
        *,
        shard: Shard | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[RecordedFiles]: ...

    def record_verification(self, outcome: VerificationOutcome) -> dict[str, Any]: ...

    def verifications(
        self, name: str, *, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]: ...

    def verify_summary(
        self, since: dt.datetime | None, *, after: str | None = None, limit: int | None = None
    ) -> Iterator[dict[str, Any]]: ...

    def smoke_subjects(
        self,
        names: Sequence[str],
        all_: bool,
        *,
        shard: Shard | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[SmokeSubject]: ...

    def has_passing_run(self, digest: str, device_type: str, dtype: str) -> bool: ...

    def record_smoke(
        self, name: str, result: SmokeResult, accept_drift: bool
    ) -> tuple[int, Judgement]: ...

    def smoke_runs(
        self, name: str, *, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]: ...

    def smoke_summary(
        self, since: dt.datetime | None, *, after: str | None = None, limit: int | None = None
    ) -> Iterator[dict[str, Any]]: ...

    # -- organisations, deployments, checks, policies -----------------------------------------
    def org_add(self, name: str, *, country: str | None, parent: str | None) -> dict[str, Any]: ...

    def org_set(
        self,
        name: str,
        *,
        country: str | None,
        parent: str | None,
        clear_parent: bool,
        if_match: str | None = None,
    ) -> dict[str, Any]: ...

    def org_mau(
        self, name: str, month: str, users: object, *, if_match: str | None = None
    ) -> dict[str, Any]: ...

    def org_grant(
        self, name: str, license_id: str, reference: str, *, if_match: str | None = None
    ) -> dict[str, Any]: ...

    def orgs(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]: ...

    def org_show(self, name: str) -> dict[str, Any]: ...

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
    ) -> dict[str, Any]: ...

    def deploy_rm(self, name: str, *, if_match: str | None = None) -> None: ...

    def deploy_show(self, name: str) -> dict[str, Any]: ...

    def deployments(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]: ...

    def check(self, spec: CheckSpec) -> list[CheckResult]: ...

    def check_history(
        self, variant: str, *, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]: ...

    def policies(self) -> list[dict[str, Any]]: ...

    def policy(self, policy_id: str) -> dict[str, Any]: ...

    # -- users, tokens, audit ----------------------------------------------------------------
    def whoami(self) -> dict[str, Any]: ...

    def user_add(self, name: str, *, role: str | None, namespace: str | None) -> dict[str, Any]: ...

    def user_show(self, name: str) -> dict[str, Any]: ...

    def users(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]: ...

    def role_grant(
        self, name: str, role: str, *, namespace: str | None, if_match: str | None = None
    ) -> dict[str, Any]: ...

    def role_revoke(
        self, name: str, *, namespace: str | None, if_match: str | None = None
    ) -> dict[str, Any]: ...

    def token_create(
        self, user: str, *, scopes: list[str] | None, expires: str | None, label: str | None
    ) -> tuple[dict[str, Any], str]: ...

    def tokens(
        self, *, user: str | None = None, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]: ...

    def token_revoke(self, ref: str) -> dict[str, Any]: ...

    def audit(
        self, flt: AuditFilter, *, after: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]: ...

    def audit_verify(self, expect_head: str | None) -> dict[str, Any]: ...

    def close(self) -> None: ...
