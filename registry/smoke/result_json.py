"""A smoke result as JSON, so a run made on a laptop or a GPU node can be posted to the server.

The server judges drift against its own records and stores the run; it never loads a model.
:func:`result_from_dict` validates what a client sends (types, ranges, sizes).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from registry.errors import InvalidInputError
from registry.smoke.environment import Environment
from registry.smoke.runner import SmokeResult

MAX_TOKENS = 100_000


def result_to_dict(r: SmokeResult) -> dict[str, Any]:
    env = r.env
    return {
        "name": r.name,
        "env": {
            "device": env.device,
            "device_type": env.device_type,
            "device_name": env.device_name,
            "torch_version": env.torch_version,
            "transformers_version": env.transformers_version,
            "cuda_version": env.cuda_version,
        },
        "dtype": r.dtype,
        "max_new_tokens": r.max_new_tokens,
        "status": r.status,
        "error": r.error,
        "load_seconds": r.load_seconds,
        "ttft_seconds": r.ttft_seconds,
        "tokens_per_second": r.tokens_per_second,
        "peak_memory_bytes": r.peak_memory_bytes,
        "prompt_ids": list(r.prompt_ids),
        "generated_ids": list(r.generated_ids),
        "logits_fingerprint": r.logits_fingerprint,
        "used_tokenizer": r.used_tokenizer,
    }


def _text(doc: Mapping[str, Any], key: str, limit: int, *, optional: bool = False) -> Any:
    value = doc.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInputError(f"smoke result: {key} must be text of at most {limit} characters")
    return value


def _number(doc: Mapping[str, Any], key: str) -> float | None:
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(f"smoke result: {key} must be a finite number")
    return float(value)


def _ids(doc: Mapping[str, Any], key: str) -> list[int]:
    value = doc.get(key) or []
    if (
        not isinstance(value, list)
        or len(value) > MAX_TOKENS
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in value)
    ):
        raise InvalidInputError(f"smoke result: {key} must be a list of token ids")
    return value


def result_from_dict(doc: Mapping[str, Any]) -> SmokeResult:
    env_doc = doc.get("env")
    if not isinstance(env_doc, Mapping):
        raise InvalidInputError("smoke result: env must be an object")
    device_type = _text(env_doc, "device_type", 16)
    if device_type not in ("cpu", "cuda"):
        raise InvalidInputError("smoke result: device_type must be cpu or cuda")
    env = Environment(
        device=_text(env_doc, "device", 32),
        device_type=device_type,
        device_name=_text(env_doc, "device_name", 255),
        torch_version=_text(env_doc, "torch_version", 64),
        transformers_version=_text(env_doc, "transformers_version", 64),
        cuda_version=_text(env_doc, "cuda_version", 32, optional=True),
    )
    status = doc.get("status")
    if status not in ("pass", "fail"):
        raise InvalidInputError("smoke result: status must be pass or fail")
    max_new = doc.get("max_new_tokens")
    if not isinstance(max_new, int) or isinstance(max_new, bool) or not 1 <= max_new <= 4096:
        raise InvalidInputError("smoke result: max_new_tokens must be between 1 and 4096")
    peak = doc.get("peak_memory_bytes")
    if peak is not None and (not isinstance(peak, int) or isinstance(peak, bool) or peak < 0):
        raise InvalidInputError("smoke result: peak_memory_bytes must be a whole number >= 0")
    fingerprint = _text(doc, "logits_fingerprint", 64, optional=True)
    return SmokeResult(
        name=_text(doc, "name", 255),
        env=env,
        dtype=_text(doc, "dtype", 16),
        max_new_tokens=max_new,
        status=status,
        error=_text(doc, "error", 2000, optional=True),
        load_seconds=_number(doc, "load_seconds"),
        ttft_seconds=_number(doc, "ttft_seconds"),
        tokens_per_second=_number(doc, "tokens_per_second"),
        peak_memory_bytes=peak,
        prompt_ids=_ids(doc, "prompt_ids"),
        generated_ids=_ids(doc, "generated_ids"),
        logits_fingerprint=fingerprint,
        used_tokenizer=bool(doc.get("used_tokenizer", False)),
    )
