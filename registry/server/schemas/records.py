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
    chunks: int = Field(0, ge=0)  # proven by this many chunk digests


class VerificationIn(Strict):
    name: str = NAME
    root: str = Field(max_length=4096)
    at_source: bool
    quick: bool
    files: list[FileStatusIn] = Field(max_length=100_000)
    stats: dict[str, StatIn] = Field(default_factory=dict)
    bytes_read: int | None = Field(None, ge=0)
    shard: str | None = Field(None, max_length=16, description="The --shard K/N that ran it.")
    host: str | None = Field(None, max_length=255, description="The machine that ran it.")


class FileStatusOut(BaseModel):
    path: str
    status: str
    expected_sha256: str | None
    actual_sha256: str | None
    changed_tensors: list[str]
    note: str | None
    quick: bool
    chunks: int = 0


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
    bytes_read: int | None = None
    shard: str | None = None
    host: str | None = None


class VerifySummaryRow(BaseModel):
    """The latest verification of one variant (None fields: none, or older than ``since``)."""

    name: str
    local: bool
    status: str | None = Field(description="ok, failed, or null")
    verified_at: str | None
    verified_by: str | None
    files_checked: int | None
    bytes_read: int | None
    problems: list[str]
    quick: bool | None
    shard: str | None
    host: str | None


class SmokeSummaryRow(BaseModel):
    """The latest smoke run of one variant (None fields: none since ``since``)."""

    name: str
    status: str | None
    device_type: str | None
    device_name: str | None
    dtype: str | None
    tokens_per_second: float | None
    error: str | None
    ran_at: str | None


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
