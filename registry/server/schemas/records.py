"""Verifications and smoke runs: results made where the files are, posted to the catalog."""

from pydantic import BaseModel, Field

from registry.server.schemas.common import Strict
from registry.server.schemas.variants import NAME, FileIn, StatIn


class RecordedFiles(BaseModel):
    """What the catalog holds about a variant's files: what ``verify`` compares against."""

    name: str
    source_uri: str | None
    files: list[FileIn]


class FileStatusIn(Strict):
    path: str = Field(min_length=1, max_length=4096)
    status: str = Field(pattern="^(ok|modified|missing|extra)$")
    expected_sha256: str | None = Field(None, max_length=64)
    actual_sha256: str | None = Field(None, max_length=64)
    changed_tensors: list[str] = Field(default_factory=list, max_length=1_000_000)
    note: str | None = Field(None, max_length=2000)
    quick: bool = False


class VerificationIn(Strict):
    name: str = NAME
    root: str = Field(max_length=4096)
    at_source: bool
    quick: bool
    files: list[FileStatusIn] = Field(max_length=100_000)
    stats: dict[str, StatIn] = Field(default_factory=dict)


class FileStatusOut(BaseModel):
    path: str
    status: str
    expected_sha256: str | None
    actual_sha256: str | None
    changed_tensors: list[str]
    note: str | None
    quick: bool


class VerificationRecord(BaseModel):
    id: int
    variant: str
    verified_at: str
    verified_by: str | None
    root: str
    at_source: bool
    quick: bool
    ok: bool
    counts: dict[str, int]
    problems: list[FileStatusOut]


class SmokeSubject(BaseModel):
    name: str
    content_digest: str
    source_uri: str | None
    adapter_parent: str | None
    adapter_parent_source: str | None


class PassingRun(BaseModel):
    passed: bool


class EnvironmentIn(Strict):
    device: str = Field(max_length=32)
    device_type: str = Field(pattern="^(cpu|cuda)$")
    device_name: str = Field(max_length=255)
    torch_version: str = Field(max_length=64)
    transformers_version: str = Field(max_length=64)
    cuda_version: str | None = Field(None, max_length=32)


class SmokeResultIn(Strict):
    name: str = NAME
    env: EnvironmentIn
    dtype: str = Field(max_length=16)
    max_new_tokens: int = Field(ge=1, le=4096)
    status: str = Field(pattern="^(pass|fail)$")
    error: str | None = Field(None, max_length=2000)
    load_seconds: float | None = None
    ttft_seconds: float | None = None
    tokens_per_second: float | None = None
    peak_memory_bytes: int | None = Field(None, ge=0)
    prompt_ids: list[int] = Field(default_factory=list, max_length=100_000)
    generated_ids: list[int] = Field(default_factory=list, max_length=100_000)
    logits_fingerprint: str | None = Field(None, max_length=64)
    used_tokenizer: bool = False


class SmokeRunIn(Strict):
    """A run made where the checkpoint is; the server judges drift against its records."""

    name: str = NAME
    result: SmokeResultIn
    accept_drift: bool = False


class SmokeRecorded(BaseModel):
    run_id: int
    status: str
    reason: str | None
    reference_run_id: int | None
    drift: bool


class SmokeRunView(BaseModel):
    id: int
    variant: str
    status: str
    reason: str | None
    content_digest: str
    device_type: str
    device_name: str
    dtype: str
    torch_version: str
    transformers_version: str
    cuda_version: str | None
    load_seconds: float | None
    ttft_seconds: float | None
    tokens_per_second: float | None
    peak_memory_bytes: int | None
    memory_kind: str
    max_new_tokens: int
    generated_ids: list[int]
    logits_fingerprint: str | None
    reference_run_id: int | None
    created_at: str
