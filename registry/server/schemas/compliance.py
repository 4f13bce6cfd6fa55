"""Organisations, deployments, checks and policies."""

from typing import Annotated, Any

from pydantic import BaseModel, Field

from registry.server.schemas.common import Strict
from registry.server.schemas.variants import NAME


class OrgIn(Strict):
    name: str = NAME
    country: str | None = Field(None, max_length=64)
    parent: str | None = Field(None, max_length=255)


class OrgPatch(Strict):
    country: str | None = Field(None, max_length=64, description="'' clears it")
    parent: str | None = Field(None, max_length=255)
    clear_parent: bool = False


class OrgSummary(BaseModel):
    name: str
    country: str | None
    parent: str | None


# pairs are JSON arrays of two items, as `org show --format json` prints them
MauPair = Annotated[list[str | int], Field(min_length=2, max_length=2)]
TextPair = Annotated[list[str], Field(min_length=2, max_length=2)]


class OrgView(OrgSummary):
    family: list[str]
    mau: list[MauPair] = Field(description="[month, users] pairs")
    grants: list[TextPair] = Field(description="[license id, reference] pairs")


class MauIn(Strict):
    users: int = Field(ge=0, le=10**15)


class MauOut(BaseModel):
    org: str
    month: str
    users: int
    previous: int | None


class GrantIn(Strict):
    license_id: str = Field(min_length=1, max_length=64)
    reference: str = Field(min_length=1, max_length=2000)


class GrantOut(BaseModel):
    org: str
    license: str
    reference: str


class DeploymentIn(Strict):
    name: str = NAME
    model: str = NAME
    org: str = NAME
    use: str = Field(max_length=16)
    public_name: str | None = Field(None, max_length=255)
    purposes: list[str] = Field(default_factory=list, max_length=100)
    attestations: list[str] = Field(default_factory=list, max_length=20)
    end_user: bool = False


class DeploymentView(BaseModel):
    name: str
    model: str
    org: str
    use: str
    public_name: str
    purposes: list[str]
    attestations: list[str]
    end_user: bool


class CheckIn(Strict):
    """One variant for an organisation and a use, one deployment, or every deployment."""

    variant: str | None = Field(None, max_length=255)
    org: str | None = Field(None, max_length=255)
    use: str | None = Field(None, max_length=16)
    public_name: str | None = Field(None, max_length=255)
    purposes: list[str] = Field(default_factory=list, max_length=100)
    attest: list[str] = Field(default_factory=list, max_length=20)
    end_user: bool = False
    deployment: str | None = Field(None, max_length=255)
    all: bool = False


class FindingOut(BaseModel):
    rule: str
    license: str
    status: str
    reason: str
    clause: str
    path: list[str]
    relations: list[str]


class ReleaseStateOut(BaseModel):
    """Whether a deployment is released: ``released``, ``pending``, ``stale`` or ``none``."""

    state: str
    release: int | None
    pending: int | None
    causes: list[dict[str, str]]
    approved_by: str | None = None
    approved_at: str | None = None


class CheckResultOut(BaseModel):
    model: str
    org: str
    use: str
    deployment: str | None
    verdict: str
    findings: list[FindingOut]
    inputs: dict[str, Any]
    policy_digests: dict[str, dict[str, str]]
    release: ReleaseStateOut | None = None


class CheckRecordOut(BaseModel):
    id: int
    checked_at: str
    os_user: str | None
    model: str
    org: str
    use: str
    deployment: str | None
    verdict: str
    inputs: Any
    findings: Any
    policy_digests: Any


class PolicySummary(BaseModel):
    id: str
    kind: str
    name: str
    spdx: str
    file: str


class PolicyDoc(BaseModel):
    id: str
    name: str
    kind: str
    spdx: str
    huggingface_id: str | None
    aliases: list[str]
    release_date: str | None
    measured_month: str | None
    license_url: str | None
    license_title: str | None
    notice: str | None
    built_with: str | None
    name_prefix: str | None
    prohibited_purposes: list[str]
    rules: dict[str, dict[str, Any]]
    file: str
    sha256: str
