"""Load one checkpoint, check its logits, generate greedily, and measure what happened.

A checkpoint that does not load with its declared architecture, that has missing,
unexpected or mis-shaped weights, whose tokenizer is broken, or whose logits are not
finite gives a ``fail`` result with a one-line reason; the runner never raises for a bad
checkpoint (only for a missing extra or an unusable device), so ``smoke --all`` can go on.

Loading is from local files only (``local_files_only=True``, the Hub offline) and from
safetensors only (``use_safetensors=True``: no pickle is ever unpickled), or from a GGUF
file through transformers' GGUF support, dequantized to torch, with the tokenizer the file
carries (``registry.smoke.gguf``: a GGUF this installation cannot load is ``unsupported``,
with the reason). An adapter is loaded with peft onto its parent. Generation is greedy
(``do_sample=False``) for exactly ``max_new_tokens`` tokens (``min_new_tokens`` holds
end-of-sequence back).

Measurements: ``load_seconds`` (model, adapter and tokenizer), ``ttft_seconds`` (from the
call to ``generate`` to the first new token reaching the streamer), ``tokens_per_second``
(new tokens after the first, divided by the time after the first: the decode rate),
peak memory (``torch.cuda.max_memory_allocated`` on a GPU, the peak RSS on a CPU).
"""

from __future__ import annotations

import gc
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.errors import ModelregError
from registry.smoke import gguf
from registry.smoke.deps import lib, require_peft
from registry.smoke.environment import Environment
from registry.smoke.files import ADAPTER_CONFIG, has_tokenizer, missing_tokenizer_file
from registry.smoke.memory import peak_rss_bytes, reset_peak_rss

DEFAULT_PROMPT = "The capital of France is"
# Prompt used when a checkpoint has no tokenizer (each id taken modulo the vocabulary size).
FIXED_PROMPT_IDS = (1, 15, 22, 8, 31, 4, 27, 19)
DEFAULT_MAX_NEW_TOKENS = 16
MAX_REASON = 300


@dataclass(frozen=True)
class SmokeTarget:
    """What to load: a checkpoint directory, and its parent's directory for an adapter."""

    name: str
    path: Path
    base_path: Path | None = None
    gguf_file: Path | None = None  # load this GGUF file (in ``path``) instead of safetensors


@dataclass(frozen=True)
class SmokeOptions:
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    prompt: str | None = None


@dataclass
class SmokeResult:
    """What one run did. ``status`` is ``pass``, ``fail`` or ``unsupported`` (not run: this
    installation cannot load the checkpoint); drift is judged by records."""

    name: str
    env: Environment
    dtype: str
    max_new_tokens: int
    status: str = "fail"
    error: str | None = None
    load_seconds: float | None = None
    ttft_seconds: float | None = None
    tokens_per_second: float | None = None
    peak_memory_bytes: int | None = None
    prompt_ids: list[int] = field(default_factory=list)
    generated_ids: list[int] = field(default_factory=list)
    logits_fingerprint: str | None = None
    used_tokenizer: bool = False
    warnings: list[str] = field(default_factory=list)


class SmokeFailure(Exception):
    """A defect of the checkpoint found by the runner (becomes status ``fail``)."""


def one_line(exc: BaseException) -> str:
    """The first non-empty line of an exception, prefixed by its type, kept short."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    text = lines[0] if lines else ""
    if not isinstance(exc, SmokeFailure):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 3] + "..."


class _FirstTokenTimer:
    """A generate() streamer that notes when the first new token arrives."""

    def __init__(self) -> None:
        self.calls = 0
        self.first_token_at: float | None = None

    def put(self, value: Any) -> None:
        self.calls += 1
        if self.calls == 2 and self.first_token_at is None:  # call 1 is the prompt
            self.first_token_at = time.perf_counter()

    def end(self) -> None:
        return None


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """No load reports, progress bars or warnings from transformers on our stderr."""
    hf_logging = lib("transformers.utils.logging")

    verbosity = hf_logging.get_verbosity()
    bars_disabled = hf_logging.is_progress_bar_enabled() is False
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if not bars_disabled:
            hf_logging.enable_progress_bar()


def _check_loading_info(info: dict[str, Any]) -> None:
    mismatched = sorted(info.get("mismatched_keys") or ())
    if mismatched:
        key, ckpt, model = mismatched[0]
        more = f" (and {len(mismatched) - 1} more)" if len(mismatched) > 1 else ""
        raise SmokeFailure(
            f"shape of {key} is {list(ckpt)} in the checkpoint but {list(model)} "
            f"in the config{more}"
        )
    for kind in ("missing", "unexpected"):
        keys = sorted(info.get(f"{kind}_keys") or ())
        if keys:
            more = f" (and {len(keys) - 1} more)" if len(keys) > 1 else ""
            raise SmokeFailure(f"{kind} weights: {keys[0]}{more}")
    errors = [str(e) for e in info.get("error_msgs") or () if str(e).strip()]
    if errors:
        raise SmokeFailure(f"load error: {errors[0].strip().splitlines()[0]}")


def _gguf_kwargs(gguf_file: Path | None) -> dict[str, Any]:
    return {} if gguf_file is None else {"gguf_file": str(gguf_file)}


def _model_class(path: Path, gguf_file: Path | None = None) -> tuple[Any, Any]:
    """The config and the causal-LM class it maps to, checked against ``architectures``.

    Resolving the class imports its modelling code, which is why this runs before the load
    timer starts: ``load_seconds`` measures reading the weights, not importing Python.
    """
    hf = lib("transformers")
    config = hf.AutoConfig.from_pretrained(
        str(path), local_files_only=True, **_gguf_kwargs(gguf_file)
    )
    try:
        cls = hf.MODEL_FOR_CAUSAL_LM_MAPPING[type(config)]
    except KeyError:
        raise SmokeFailure(f"no causal-LM class for model type {config.model_type!r}") from None
    declared = list(getattr(config, "architectures", None) or [])
    if declared and cls.__name__ != declared[0]:
        raise SmokeFailure(f"config declares {declared[0]} but transformers loads {cls.__name__}")
    return config, cls


def _load_base(
    path: Path, config: Any, cls: Any, env: Environment, dtype: str, gguf_file: Path | None = None
) -> Any:
    torch = lib("torch")
    kwargs: dict[str, Any] = {
        "config": config,
        "local_files_only": True,
        "dtype": getattr(torch, dtype),
        "output_loading_info": True,
        "ignore_mismatched_sizes": True,
    }
    if gguf_file is None:
        kwargs["use_safetensors"] = True
    else:
        kwargs["gguf_file"] = str(gguf_file)
        gguf_config = getattr(lib("transformers"), "GgufConfig", None)
        if gguf_config is not None:  # transformers 5 can keep GGUF blocks: dequantize them
            kwargs["quantization_config"] = gguf_config(dequantize=True)
    if env.device_type == "cuda":
        kwargs["device_map"] = env.device
    model, info = cls.from_pretrained(str(path), **kwargs)
    _check_loading_info(info)
    return model


def _load_adapter(model: Any, path: Path) -> Any:
    peft = lib("peft")
    if not (path / "adapter_model.safetensors").is_file():
        raise SmokeFailure("adapter has no adapter_model.safetensors")
    config = peft.PeftConfig.from_pretrained(str(path))
    config.inference_mode = True
    cls = peft.PeftModelForCausalLM if config.task_type == "CAUSAL_LM" else peft.PeftModel
    wrapped = cls(model, config, adapter_name="default")
    result = wrapped.load_adapter(str(path), adapter_name="default", is_trainable=False)
    for kind in ("missing", "unexpected"):
        keys = sorted(getattr(result, f"{kind}_keys", None) or ())
        if keys:
            more = f" (and {len(keys) - 1} more)" if len(keys) > 1 else ""
            raise SmokeFailure(f"{kind} adapter weights: {keys[0]}{more}")
    wrapped.eval()
    return wrapped


def _load_tokenizer(path: Path, gguf_file: Path | None = None) -> Any:
    AutoTokenizer = lib("transformers").AutoTokenizer

    defect = None if gguf_file else missing_tokenizer_file(path)
    if defect:
        raise SmokeFailure(defect)
    try:
        return AutoTokenizer.from_pretrained(
            str(path), local_files_only=True, **_gguf_kwargs(gguf_file)
        )
    except Exception as exc:  # any tokenizer that does not load is a defect of the checkpoint
        raise SmokeFailure(f"tokenizer does not load: {one_line(exc)}") from None


def _prompt_ids(
    tokenizer: Any, model: Any, options: SmokeOptions, result: SmokeResult
) -> list[int]:
    if tokenizer is not None:
        ids = list(tokenizer(options.prompt or DEFAULT_PROMPT)["input_ids"])
        if not ids:
            raise SmokeFailure("the prompt encodes to no tokens")
        return [int(i) for i in ids]
    if options.prompt is not None:
        result.warnings.append(f"{result.name}: no tokenizer, --prompt ignored (fixed token ids)")
    vocab = int(model.config.get_text_config().vocab_size)
    return [i % vocab for i in FIXED_PROMPT_IDS]


def _generate(model: Any, ids: list[int], env: Environment, result: SmokeResult) -> None:
    torch = lib("torch")
    GenerationConfig = lib("transformers").GenerationConfig

    n = result.max_new_tokens
    eos = getattr(model.generation_config, "eos_token_id", None)
    pad = getattr(model.generation_config, "pad_token_id", None)
    if pad is None:
        pad = eos[0] if isinstance(eos, list) and eos else (eos if eos is not None else 0)
    config = GenerationConfig(
        do_sample=False,
        max_new_tokens=n,
        min_new_tokens=n,
        eos_token_id=eos,
        pad_token_id=pad,
        output_logits=True,
        return_dict_in_generate=True,
    )
    input_ids = torch.tensor([ids], dtype=torch.long, device=env.device)
    timer = _FirstTokenTimer()
    start = time.perf_counter()
    with torch.inference_mode():
        out = model.generate(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            generation_config=config,
            streamer=timer,
        )
    if env.device_type == "cuda":
        torch.cuda.synchronize(env.device)
    end = time.perf_counter()
    logits = torch.stack([step[0] for step in out.logits]).float()
    finite = torch.isfinite(logits).all(dim=-1).cpu().tolist()
    if not all(finite):
        raise SmokeFailure(f"non-finite logits at generation step {finite.index(False) + 1}")
    result.generated_ids = [int(t) for t in out.sequences[0, len(ids) :].cpu().tolist()]
    from registry.smoke.fingerprint import logits_fingerprint  # numpy: loaded with torch

    result.logits_fingerprint = logits_fingerprint(logits[0].cpu().numpy())
    first = timer.first_token_at or end
    result.ttft_seconds = first - start
    made = len(result.generated_ids)
    if made > 1 and end > first:
        result.tokens_per_second = (made - 1) / (end - first)
    elif end > start:
        result.tokens_per_second = made / (end - start)


def run_target(
    target: SmokeTarget, options: SmokeOptions, env: Environment, dtype: str
) -> SmokeResult:
    """Run one smoke test; every defect of the checkpoint ends as ``status='fail'``."""
    torch = lib("torch")

    result = SmokeResult(target.name, env, dtype, options.max_new_tokens)
    gguf_tokenizer = False
    if target.gguf_file is not None:
        status, result.error, gguf_tokenizer = gguf.check_file(target.gguf_file)
        if status is not None:
            result.status = status
            return result
    model: Any = None
    if env.device_type == "cuda":
        torch.cuda.reset_peak_memory_stats(env.device)
    else:
        reset_peak_rss()
    try:
        with _quiet_transformers():
            adapter = target.base_path is not None
            if adapter:
                require_peft()
                if not (target.path / ADAPTER_CONFIG).is_file():
                    raise SmokeFailure(f"registered as an adapter but {ADAPTER_CONFIG} is missing")
            elif (target.path / ADAPTER_CONFIG).is_file():
                raise SmokeFailure(f"{ADAPTER_CONFIG} present but no adapter parent registered")
            base = target.base_path or target.path
            config, cls = _model_class(base, target.gguf_file)
            start = time.perf_counter()
            model = _load_base(base, config, cls, env, dtype, target.gguf_file)
            if adapter:
                model = _load_adapter(model, target.path)
            if target.gguf_file is not None:  # the tokenizer the file carries, if any
                tokenizer = _load_tokenizer(base, target.gguf_file) if gguf_tokenizer else None
            else:
                tok_dir = next((p for p in (target.path, base) if has_tokenizer(p)), None)
                tokenizer = _load_tokenizer(tok_dir) if tok_dir is not None else None
            result.used_tokenizer = tokenizer is not None
            result.load_seconds = time.perf_counter() - start
            result.prompt_ids = _prompt_ids(tokenizer, model, options, result)
            _generate(model, result.prompt_ids, env, result)
        result.status = "pass"
    except ModelregError:
        raise
    except Exception as exc:  # a defect of this checkpoint: record it and go on
        result.status = "fail"
        result.error = one_line(exc)
    finally:
        if env.device_type == "cuda":
            result.peak_memory_bytes = int(torch.cuda.max_memory_allocated(env.device))
        else:
            result.peak_memory_bytes = peak_rss_bytes()
        del model  # the caller collects cycles before the next run (release_memory)
    return result


def release_memory(env: Environment) -> None:
    """Free what earlier runs left (models hold reference cycles) before the next load."""
    gc.collect()
    if env.device_type == "cuda":
        lib("torch").cuda.empty_cache()
