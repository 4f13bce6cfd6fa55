"""The device and software a smoke run uses, resolved once per process.

``--device auto`` is the first CUDA device when torch sees one, else the CPU. ``--dtype
auto`` is the dtype the checkpoint's config declares on a GPU (float32 when it declares
none) and float32 on a CPU, where reduced-precision kernels are slow and are not what a
deployment runs; an explicit dtype is used as given.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from pathlib import Path

from registry.errors import InvalidInputError, OperationalError
from registry.smoke.deps import require_torch_transformers
from registry.smoke.files import declared_dtype

DEVICE_CHOICES = ("auto", "cpu", "cuda")
DTYPE_CHOICES = ("auto", "float32", "bfloat16", "float16")
_DEVICE_RE = re.compile(r"^(auto|cpu|cuda)(?::(\d+))?$")


@dataclass(frozen=True)
class Environment:
    """Where runs happen: the torch device string and what to record about it."""

    device: str  # "cpu" or "cuda:N"
    device_type: str  # "cpu" or "cuda"
    device_name: str
    torch_version: str
    transformers_version: str
    cuda_version: str | None

    @property
    def memory_kind(self) -> str:
        return "gpu" if self.device_type == "cuda" else "rss"


def parse_device(spec: str) -> tuple[str, int | None]:
    """Validate ``auto|cpu|cuda|cuda:N`` (InvalidInputError, exit 2, otherwise)."""
    match = _DEVICE_RE.match(spec.strip().lower())
    if not match or (match.group(2) is not None and match.group(1) != "cuda"):
        raise InvalidInputError(f"unknown device {spec!r}: use auto, cpu, cuda or cuda:N")
    index = None if match.group(2) is None else int(match.group(2))
    return match.group(1), index


def check_dtype(spec: str) -> str:
    value = spec.strip().lower()
    if value not in DTYPE_CHOICES:
        raise InvalidInputError(f"unknown dtype {spec!r}: use {', '.join(DTYPE_CHOICES)}")
    return value


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "cpu"


def resolve_environment(spec: str) -> Environment:
    """The device to run on; OperationalError (exit 4) when CUDA is asked for and absent."""
    kind, index = parse_device(spec)
    torch, transformers = require_torch_transformers()
    has_cuda = bool(torch.cuda.is_available())
    if kind == "auto":
        kind = "cuda" if has_cuda else "cpu"
    if kind == "cpu":
        return Environment(
            "cpu", "cpu", _cpu_name(), torch.__version__, transformers.__version__, None
        )
    if not has_cuda:
        raise OperationalError(
            f"device {spec!r} asked for, but torch {torch.__version__} sees no CUDA device",
            hint="use --device cpu, or install a CUDA build of torch",
        )
    index = index or 0
    count = int(torch.cuda.device_count())
    if index >= count:
        raise InvalidInputError(f"device cuda:{index} does not exist ({count} CUDA devices)")
    return Environment(
        f"cuda:{index}",
        "cuda",
        str(torch.cuda.get_device_name(index)),
        torch.__version__,
        transformers.__version__,
        torch.version.cuda,
    )


def resolve_dtype(spec: str, env: Environment, checkpoint: Path) -> str:
    """The dtype a run of ``checkpoint`` uses (see the module docstring for ``auto``)."""
    value = check_dtype(spec)
    if value != "auto":
        return value
    if env.device_type == "cpu":
        return "float32"
    declared = declared_dtype(checkpoint)
    return declared if declared in DTYPE_CHOICES[1:] else "float32"
