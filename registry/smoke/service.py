"""``modelreg smoke``: plan the runs, refuse what cannot fit, run, judge and record each.

Runs happen one after another in this process. The catalog is read in one short
transaction, and each run is recorded in its own, so no transaction stays open while a
model loads. A run refused for lack of memory (``refused``) or of support in this
installation (``unsupported``: a GGUF architecture or tensor type transformers or gguf
cannot load) is reported but not recorded;
with ``--all``, variants without a local checkpoint (registered from the Hub) are listed
apart, and content that already passed on this device type and dtype is skipped
unless ``force`` is set (which also overrides the memory refusal).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from registry.errors import InvalidInputError
from registry.progress import NULL_PROGRESS, Progress
from registry.smoke.environment import Environment, check_dtype, resolve_dtype, resolve_environment
from registry.smoke.files import load_bytes
from registry.smoke.memory import free_host_bytes, required_bytes
from registry.smoke.runner import SmokeOptions, SmokeResult, release_memory, run_target

if TYPE_CHECKING:  # SQLAlchemy is imported once torch is: usage errors answer at once
    from registry.catalog.shards import Shard
    from registry.smoke.records import PlannedRun
    from registry.store.interface import Store

GIB = 1024**3
MAX_NEW_TOKENS_LIMIT = 4096


@dataclass(frozen=True)
class SmokeRequest:
    names: Sequence[str] = ()
    all: bool = False
    device: str = "auto"
    dtype: str = "auto"
    options: SmokeOptions = SmokeOptions()
    force: bool = False
    accept_drift: bool = False
    shard: Shard | None = None  # with all: only this shard of the variants


@dataclass
class RunReport:
    """The outcome of one variant: ``pass``, ``fail``, ``drift``, ``refused`` or
    ``unsupported``."""

    name: str
    status: str
    reason: str | None
    dtype: str
    result: SmokeResult | None = None
    run_id: int | None = None
    reference_run_id: int | None = None
    drift: bool = False


@dataclass
class SmokeSummary:
    env: Environment
    reports: list[RunReport]
    skipped: list[str]  # --all: names whose content already passed here
    not_local: list[str] = field(default_factory=list)  # --all: no local checkpoint

    def count(self, status: str) -> int:
        return sum(1 for r in self.reports if r.status == status)


def free_bytes(env: Environment) -> int:
    """Free memory where the weights will live: the GPU's, else the host's."""
    if env.device_type == "cuda":
        from registry.smoke.deps import lib

        free, _total = lib("torch").cuda.mem_get_info(env.device)
        return int(free)
    return free_host_bytes()


def fit_problem(plan: PlannedRun, dtype: str, env: Environment) -> str | None:
    """Why ``plan`` cannot fit in free memory, or None when it can."""
    assert plan.target is not None
    weights = load_bytes(plan.target.gguf_file or plan.target.path, dtype)
    if plan.target.base_path is not None:
        weights += load_bytes(plan.target.base_path, dtype)
    need = required_bytes(weights)
    free = free_bytes(env)
    if need <= free:
        return None
    return (
        f"needs about {need / GIB:.2f} GiB in {dtype} but {free / GIB:.2f} GiB is free "
        f"on {env.device}; not started (--force to try anyway)"
    )


def _validate(request: SmokeRequest) -> None:
    if bool(request.names) == request.all:
        raise InvalidInputError("name one or more variants, or use --all")
    if request.shard is not None and not request.all:
        raise InvalidInputError("--shard goes with --all")
    n = request.options.max_new_tokens
    if not 1 <= n <= MAX_NEW_TOKENS_LIMIT:
        raise InvalidInputError(f"--max-new-tokens must be between 1 and {MAX_NEW_TOKENS_LIMIT}")
    check_dtype(request.dtype)


def run_smoke(
    store: Store,
    request: SmokeRequest,
    *,
    progress: Progress = NULL_PROGRESS,
    on_report: Callable[[RunReport], None] | None = None,
) -> SmokeSummary:
    """Plan, run and record smoke tests; failures of one checkpoint never stop the rest."""
    _validate(request)
    env = resolve_environment(request.device)  # the smoke extra, before touching the catalog
    from registry.smoke.records import plan_subject

    subjects = store.smoke_subjects(request.names, request.all, shard=request.shard)
    plans = [plan_subject(s) for s in subjects]
    todo: list[tuple[PlannedRun, str]] = []
    skipped: list[str] = []
    not_local: list[str] = []
    for plan in plans:
        if request.all and plan.target is None:
            not_local.append(plan.name)
            continue
        target = plan.target
        base = (target.base_path or target.gguf_file or target.path) if target else None
        dtype = resolve_dtype(request.dtype, env, base) if base else "float32"
        if request.all and not request.force:
            if store.has_passing_run(plan.content_digest, env.device_type, dtype):
                skipped.append(plan.name)
                continue
        todo.append((plan, dtype))
    summary = SmokeSummary(env, [], skipped, not_local)
    progress.start("smoke", len(todo))
    try:
        for i, (plan, dtype) in enumerate(todo):
            if i:
                release_memory(env)
            report = _one(store, request, env, plan, dtype, progress)
            summary.reports.append(report)
            if on_report is not None:
                on_report(report)
            progress.advance(1)
    finally:
        progress.finish()
    return summary


def _one(
    store: Store,
    request: SmokeRequest,
    env: Environment,
    plan: PlannedRun,
    dtype: str,
    progress: Progress,
) -> RunReport:
    if plan.problem is None and plan.target is not None and not request.force:
        refusal = fit_problem(plan, dtype, env)
        if refusal is not None:
            return RunReport(plan.name, "refused", refusal, dtype)
    if plan.problem is not None or plan.target is None:
        result = SmokeResult(plan.name, env, dtype, request.options.max_new_tokens)
        result.error = plan.problem
    else:
        result = run_target(plan.target, request.options, env, dtype)
    for message in result.warnings:
        progress.warn(message)
    if result.status == "unsupported":  # about this installation, not the checkpoint
        return RunReport(plan.name, "unsupported", result.error, dtype, result)
    run_id, verdict = store.record_smoke(plan.name, result, request.accept_drift)
    return RunReport(
        plan.name,
        verdict.status,
        verdict.reason,
        dtype,
        result,
        run_id,
        verdict.reference_run_id,
        verdict.drift,
    )
