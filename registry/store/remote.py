"""The store over the team server's API: the CLI in remote mode.

Same operations, same results as :class:`~registry.store.local.LocalStore`; what needs the
files (hashing, verifying, smoke runs) happens in the caller, and only manifests and results
travel. Words the library would refuse before touching the catalog (a month, a user count,
a check request) are validated here first, so errors come in the same order and wording.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from registry.catalog.paging import encode_cursor
from registry.store.http import ApiClient, segment
from registry.store.remote_releases import RemoteReleaseOps

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

MAX_NAMES = 500


def _cursor(after: Any) -> str | None:
    return None if after is None else encode_cursor(after)


def _if_match(tag: str | None) -> dict[str, str]:
    return {"If-Match": tag} if tag else {}


class RemoteStore(RemoteReleaseOps):
    def __init__(self, url: str, token: str | None) -> None:
        self.api = ApiClient(url, token)

    def close(self) -> None:
        self.api.close()

    def _list(self, path: str, after: Any, limit: int | None, **params: Any) -> list[Any]:
        return list(self.api.pages(path, limit=limit, cursor=_cursor(after), **params))

    # -- variants ---------------------------------------------------------------------------
    def variant_exists(self, name: str) -> bool:
        res = self.api.request("GET", f"/variants/{segment(name)}", allow=(404,))
        return not (hasattr(res, "status_code") and res.status_code == 404)

    def find_by_source(self, sources: Sequence[str]) -> str | None:
        from registry.catalog.listing import VariantFilter

        found = list(self.variants(VariantFilter(sources=tuple(sources)), limit=1))
        return str(found[0]["name"]) if found else None

    def prepare_write(self) -> None:
        pass

    def register(self, reg: Registration, *, progress: Progress) -> dict[str, Any]:
        answer = self.api.request("POST", "/variants", json=reg.to_dict())
        for message in answer["warnings"]:
            progress.warn(message)
        return dict(answer["variant"])

    def variants(
        self,
        flt: VariantFilter | None = None,
        *,
        after: str | None = None,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        query = flt.query() if flt is not None else {}
        return self.api.pages("/variants", limit=limit, cursor=_cursor(after), **query)

    def describe(self, name: str) -> dict[str, Any]:
        return dict(self.api.get(f"/variants/{segment(name)}"))

    def lineage(self, name: str) -> dict[str, Any]:
        return dict(self.api.get(f"/lineage/{segment(name)}"))

    def link(self, child: str, parent: str, relation: str, *, if_match: str | None = None) -> None:
        body = {"child": child, "parent": parent, "relation": relation}
        self.api.request("POST", "/lineage", json=body, headers=_if_match(if_match))

    def remove(self, name: str, *, if_match: str | None = None) -> None:
        self.api.request("DELETE", f"/variants/{segment(name)}", headers=_if_match(if_match))

    def bom(self, name: str) -> ModelBom:
        from registry.formats.bom_input import bom_from_dict

        return bom_from_dict(self.api.get(f"/boms/{segment(name)}"))

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
        from registry.catalog.registration import file_from_dict
        from registry.catalog.verify_records import RecordedFiles

        if all_:
            shard_param = None if shard is None else str(shard)
            items = self._list("/recorded-files", after, limit, all=True, shard=shard_param)
        else:
            unique = list(dict.fromkeys(names))
            items = []
            for i in range(0, len(unique), MAX_NAMES):
                items += self.api.get("/recorded-files", name=unique[i : i + MAX_NAMES])["items"]
        return [
            RecordedFiles(d["name"], d["source_uri"], tuple(file_from_dict(f) for f in d["files"]))
            for d in items
        ]

    def record_verification(self, outcome: VerificationOutcome) -> dict[str, Any]:
        return dict(self.api.request("POST", "/verifications", json=outcome.to_dict()))

    def verifications(
        self, name: str, *, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return self._list("/verifications", after, limit, variant=name)

    def verify_summary(
        self, since: dt.datetime | None, *, after: str | None = None, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        when = since.isoformat() if since else None
        return self.api.pages(
            "/verifications/summary", limit=limit, cursor=_cursor(after), since=when
        )

    def smoke_subjects(
        self,
        names: Sequence[str],
        all_: bool,
        *,
        shard: Shard | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[SmokeSubject]:
        from registry.smoke.records import SmokeSubject

        if all_:
            shard_param = None if shard is None else str(shard)
            items = self._list("/smoke-subjects", after, limit, all=True, shard=shard_param)
        else:
            unique = list(dict.fromkeys(names))
            items = []
            for i in range(0, len(unique), MAX_NAMES):
                items += self.api.get("/smoke-subjects", name=unique[i : i + MAX_NAMES])["items"]
        return [SmokeSubject(**d) for d in items]

    def has_passing_run(self, digest: str, device_type: str, dtype: str) -> bool:
        doc = self.api.get(
            "/smoke-runs/passing", digest=digest, device_type=device_type, dtype=dtype
        )
        return bool(doc["passed"])

    def record_smoke(
        self, name: str, result: SmokeResult, accept_drift: bool
    ) -> tuple[int, Judgement]:
        from registry.smoke.records import Judgement
        from registry.smoke.result_json import result_to_dict

        body = {"name": name, "result": result_to_dict(result), "accept_drift": accept_drift}
        doc = self.api.request("POST", "/smoke-runs", json=body)
        verdict = Judgement(doc["status"], doc["reason"], doc["reference_run_id"], doc["drift"])
        return int(doc["run_id"]), verdict

    def smoke_runs(
        self, name: str, *, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return self._list("/smoke-runs", after, limit, variant=name)

    def smoke_summary(
        self, since: dt.datetime | None, *, after: str | None = None, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        when = since.isoformat() if since else None
        return self.api.pages("/smoke-runs/summary", limit=limit, cursor=_cursor(after), since=when)

    # -- organisations, deployments, checks, policies ----------------------------------------
    def org_add(self, name: str, *, country: str | None, parent: str | None) -> dict[str, Any]:
        body = {"name": name, "country": country, "parent": parent}
        return dict(self.api.request("POST", "/orgs", json=body))

    def org_set(
        self,
        name: str,
        *,
        country: str | None,
        parent: str | None,
        clear_parent: bool,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        body = {"country": country, "parent": parent, "clear_parent": clear_parent}
        return dict(
            self.api.request(
                "PATCH", f"/orgs/{segment(name)}", json=body, headers=_if_match(if_match)
            )
        )

    def org_mau(
        self, name: str, month: str, users: object, *, if_match: str | None = None
    ) -> dict[str, Any]:
        from registry.catalog.orgs import validate_month, validate_users

        month = validate_month(month)
        count = validate_users(users)
        return dict(
            self.api.request(
                "PUT",
                f"/orgs/{segment(name)}/mau/{month}",
                json={"users": count},
                headers=_if_match(if_match),
            )
        )

    def org_grant(
        self, name: str, license_id: str, reference: str, *, if_match: str | None = None
    ) -> dict[str, Any]:
        if not reference.strip():
            from registry.errors import InvalidInputError

            raise InvalidInputError("a grant needs a reference (a contract number, a ticket...)")
        body = {"license_id": license_id, "reference": reference}
        return dict(
            self.api.request(
                "POST", f"/orgs/{segment(name)}/grants", json=body, headers=_if_match(if_match)
            )
        )

    def orgs(self, *, after: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        return self._list("/orgs", after, limit)

    def org_show(self, name: str) -> dict[str, Any]:
        return dict(self.api.get(f"/orgs/{segment(name)}"))

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
        body = {
            "name": name,
            "model": model,
            "org": org,
            "use": use,
            "public_name": public_name,
            "purposes": list(purposes),
            "attestations": list(attestations),
            "end_user": end_user,
        }
        return dict(self.api.request("POST", "/deployments", json=body))

    def deploy_rm(self, name: str, *, if_match: str | None = None) -> None:
        self.api.request("DELETE", f"/deployments/{segment(name)}", headers=_if_match(if_match))

    def deployments(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return self._list("/deployments", after, limit)

    def deploy_show(self, name: str) -> dict[str, Any]:
        return dict(self.api.get(f"/deployments/{segment(name)}"))

    def check(self, spec: CheckSpec) -> list[CheckResult]:
        from registry.compliance.model import CheckResult

        spec.validate()
        answer = self.api.request("POST", "/checks", json=spec.to_dict())
        return [CheckResult.from_dict(d) for d in answer]

    def check_history(
        self, variant: str, *, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return self._list("/checks", after, limit, variant=variant)

    def policies(self) -> list[dict[str, Any]]:
        return self._list("/policies", None, None)

    def policy(self, policy_id: str) -> dict[str, Any]:
        return dict(self.api.get(f"/policies/{segment(policy_id)}"))

    # -- users, tokens, audit -----------------------------------------------------------------
    def whoami(self) -> dict[str, Any]:
        return dict(self.api.get("/me"))

    def user_add(self, name: str, *, role: str | None, namespace: str | None) -> dict[str, Any]:
        body = {"name": name, "role": role, "namespace": namespace}
        return dict(self.api.request("POST", "/users", json=body))

    def user_show(self, name: str) -> dict[str, Any]:
        return dict(self.api.get(f"/users/{segment(name)}"))

    def users(self, *, after: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        return self._list("/users", after, limit)

    def role_grant(
        self, name: str, role: str, *, namespace: str | None, if_match: str | None = None
    ) -> dict[str, Any]:
        body = {"role": role, "namespace": namespace}
        return dict(
            self.api.request(
                "PUT", f"/users/{segment(name)}/roles", json=body, headers=_if_match(if_match)
            )
        )

    def role_revoke(
        self, name: str, *, namespace: str | None, if_match: str | None = None
    ) -> dict[str, Any]:
        params = {"namespace": namespace} if namespace is not None else None
        return dict(
            self.api.request(
                "DELETE",
                f"/users/{segment(name)}/roles",
                params=params,
                headers=_if_match(if_match),
            )
        )

    def token_create(
        self, user: str, *, scopes: list[str] | None, expires: str | None, label: str | None
    ) -> tuple[dict[str, Any], str]:
        body = {"user": user, "scopes": scopes, "expires": expires, "label": label}
        doc = dict(self.api.request("POST", "/tokens", json=body))
        secret = str(doc.pop("token"))
        return doc, secret

    def tokens(
        self, *, user: str | None = None, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return self._list("/tokens", after, limit, user=user)

    def token_revoke(self, ref: str) -> dict[str, Any]:
        return dict(self.api.request("DELETE", f"/tokens/{segment(ref)}"))

    def audit(
        self, flt: AuditFilter, *, after: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return self._list(
            "/audit",
            after or None,
            limit,
            actor=flt.actor,
            target=flt.target,
            action=flt.action,
            since=flt.since.isoformat() if flt.since else None,
        )

    def audit_verify(self, expect_head: str | None) -> dict[str, Any]:
        return dict(self.api.get("/audit/verify", expect_head=expect_head))
