"""Variants: registrations (manifests), summaries, details, lineage, bills of materials."""

from typing import Annotated, Any

from pydantic import BaseModel, Field

from registry.server.schemas.common import Strict

NAME = Field(min_length=1, max_length=255)
Pair = Annotated[list[str], Field(min_length=2, max_length=2, description="[name, relation]")]


class Edge(BaseModel):
    name: str
    relation: str


class Unresolved(BaseModel):
    reference: str
    relation: str


class VariantSummary(BaseModel):
    name: str
    license: str
    architecture: str | None
    modalities: list[str]
    total_bytes: int
    created_at: str


class FileView(BaseModel):
    path: str
    size: int
    sha256: str | None
    git_oid: str | None
    format: str
    details: dict[str, Any]
    verified_at: str | None


class VariantDetail(VariantSummary):
    license_name: str | None
    source: str | None
    parameter_count: int | None
    created_by: str | None
    parents: list[Edge]
    unresolved_parents: list[Unresolved]
    children: list[Edge]
    content_digest: str | None
    files: list[FileView]


class LineageNode(BaseModel):
    name: str
    license: str
    depth: int
    edges: list[Edge]
    unresolved_parents: list[Unresolved]


class LineageRoot(LineageNode):
    children: list[Edge]


class DetectedRelation(BaseModel):
    """A relation the weights show (provenance), declared in lineage or not."""

    name: str
    license: str
    verdict: str
    method: str
    statistic: float | None
    summary: str
    declared: bool


class Lineage(BaseModel):
    variant: LineageRoot
    ancestors: list[LineageNode]
    descendants: list[LineageNode]
    detected: list[DetectedRelation] = Field(default_factory=list)


class TensorIn(Strict):
    name: str = Field(max_length=4096)
    dtype: str = Field(max_length=16)
    shape: list[int] = Field(max_length=64)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    digest: str = Field(max_length=64)


class StatIn(Strict):
    size: int = Field(ge=0)
    mtime_ns: int = Field(ge=0)
    inode: int = Field(ge=0)
    device: int = Field(ge=0)


class FileIn(Strict):
    path: str = Field(min_length=1, max_length=4096)
    size: int = Field(ge=-1)  # -1: not stated (a bill of materials without file sizes)
    sha256: str | None = Field(None, max_length=64)
    git_oid: str | None = Field(None, max_length=40)
    format: str = Field("other", max_length=16)
    details: dict[str, Any] = Field(default_factory=dict)
    tensors: list[TensorIn] = Field(default_factory=list)
    stat: StatIn | None = None
    chunk_bytes: int = Field(0, ge=0)  # with chunks: the SHA-256 of each such range
    chunks: list[str] = Field(default_factory=list, max_length=1_000_000)


class EdgeIn(Strict):
    name: str = NAME
    relation: str = Field("finetune", max_length=16)


class RegistrationIn(Strict):
    """What ``modelreg add`` found where the files are: the server never sees weights."""

    name: str = NAME
    license_id: str = Field("unknown", max_length=64)
    license_name: str | None = Field(None, max_length=255)
    parents: list[EdgeIn] = Field(default_factory=list, max_length=1000)
    card_bases: list[str] = Field(default_factory=list, max_length=1000)
    card_relation: str | None = Field(None, max_length=16)
    base_relations: list[str] = Field(default_factory=list, max_length=1000)
    modalities: list[str] = Field(default_factory=lambda: ["text"], max_length=8)
    source_uri: str | None = Field(None, max_length=4096)
    architecture: str | None = Field(None, max_length=255)
    parameter_count: int | None = Field(None, ge=0)
    content_digest: str | None = Field(None, max_length=64)
    files: list[FileIn] = Field(default_factory=list, max_length=100_000)
    half_digests: list[list[str]] = Field(default_factory=list, max_length=2_000_000)


class Registered(BaseModel):
    variant: VariantDetail
    warnings: list[str]


class LinkIn(Strict):
    child: str = NAME
    parent: str = NAME
    relation: str = Field("finetune", max_length=16)


class BomFileOut(BaseModel):
    path: str
    size: int
    sha256: str | None
    git_oid: str | None


class BomAncestorOut(BaseModel):
    name: str
    distance: int
    relation: str
    license_id: str | None
    license_name: str | None
    source_uri: str | None
    parents: list[Pair]
    unresolved: bool


class BomOut(BaseModel):
    """What a bill of materials says about a variant (the CLI renders CycloneDX from it)."""

    name: str
    license_id: str
    license_name: str | None
    modalities: list[str]
    architecture: str | None
    parameter_count: int | None
    source_uri: str | None
    total_bytes: int
    created_at: str | None
    files: list[BomFileOut]
    parents: list[Pair]
    ancestors: list[BomAncestorOut]
    effective_licenses: list[str]
