"""Renderers of a smoke summary: a JSON document and a plain-text table (both return data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from registry.smoke.service import RunReport, SmokeSummary

STATUSES = ("pass", "fail", "drift", "refused", "unsupported")


def _run_json(r: RunReport) -> dict[str, Any]:
    res = r.result
    return {
        "variant": r.name,
        "status": r.status,
        "reason": r.reason,
        "drift": r.drift,
        "run_id": r.run_id,
        "reference_run_id": r.reference_run_id,
        "dtype": r.dtype,
        "load_seconds": res.load_seconds if res else None,
        "ttft_seconds": res.ttft_seconds if res else None,
        "tokens_per_second": res.tokens_per_second if res else None,
        "peak_memory_bytes": res.peak_memory_bytes if res else None,
        "memory_kind": res.env.memory_kind if res else None,
        "used_tokenizer": res.used_tokenizer if res else None,
        "max_new_tokens": res.max_new_tokens if res else None,
        "prompt_ids": res.prompt_ids if res else [],
        "generated_ids": res.generated_ids if res else [],
        "logits_fingerprint": res.logits_fingerprint if res else None,
    }


def to_json(summary: SmokeSummary) -> dict[str, Any]:
    env = summary.env
    counts = {s: summary.count(s) for s in STATUSES}
    counts["skipped"] = len(summary.skipped)
    counts["not_local"] = len(summary.not_local)
    return {
        "device": {
            "device": env.device,
            "type": env.device_type,
            "name": env.device_name,
            "torch": env.torch_version,
            "transformers": env.transformers_version,
            "cuda": env.cuda_version,
        },
        "runs": [_run_json(r) for r in summary.reports],
        "skipped": list(summary.skipped),
        "not_local": list(summary.not_local),
        "summary": counts,
    }


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def _mib(value: int | None) -> str:
    return "-" if value is None else f"{value / 1024**2:.0f}"


def to_table(summary: SmokeSummary) -> str:
    env = summary.env
    header = ("VARIANT", "STATUS", "DTYPE", "LOAD_S", "TTFT_MS", "TOK/S", "PEAK_MIB", "REASON")
    rows = [header]
    for r in summary.reports:
        res = r.result
        ttft = None if res is None or res.ttft_seconds is None else res.ttft_seconds * 1000
        rows.append(
            (
                r.name,
                r.status,
                r.dtype,
                _num(res.load_seconds if res else None, ".2f"),
                _num(ttft, ".1f"),
                _num(res.tokens_per_second if res else None, ".1f"),
                _mib(res.peak_memory_bytes if res else None),
                r.reason or "",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = [
        "  ".join([*(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)), row[-1]]).rstrip()
        for row in rows
    ]
    counts = ", ".join(f"{summary.count(s)} {s}" for s in STATUSES)
    lines.append("")
    lines.append(
        f"{counts}, {len(summary.skipped)} skipped (already passed), "
        f"{len(summary.not_local)} without a local checkpoint; on {env.device} "
        f"({env.device_name}; torch {env.torch_version}, transformers "
        f"{env.transformers_version}" + (f", CUDA {env.cuda_version})" if env.cuda_version else ")")
    )
    return "\n".join(lines)
