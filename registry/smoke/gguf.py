"""GGUF checkpoints in smoke runs: which file to load, what it needs, what cannot be loaded.

A variant registered from a ``.gguf`` file, or from a directory holding one GGUF file and
no safetensors, is loaded through transformers' GGUF support (``from_pretrained(dir,
gguf_file=...)``), which dequantizes every tensor to torch. Before anything is handed to
transformers the header is validated again by modelreg's own strict parser: a file that no
longer validates is a ``fail``.

What this installation cannot load is ``unsupported`` (a reason, no run recorded): a split
GGUF (``split.count`` > 1) or a GGUF adapter, an architecture transformers' GGUF loader
does not know, and a tensor type the ``gguf`` package cannot dequantize (each type present
is probed with one block of zeros).
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from registry.checkpoints.file_formats import open_regular
from registry.checkpoints.ggml_types import GGML_TYPE_IDS
from registry.checkpoints.gguf_format import GGUF_MAGIC, GGUFHeader, read_gguf_header
from registry.errors import CheckpointError
from registry.smoke.deps import lib

# The dtype a run uses on a GPU with --dtype auto, from the file's float tensors.
_FLOAT_DTYPES = {"BF16": "bfloat16", "F16": "float16", "F32": "float32"}


def is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == GGUF_MAGIC
    except OSError:
        return False


def find_gguf(path: Path) -> tuple[Path | None, str | None]:
    """(the GGUF file to load, a problem) for a registered path; (None, None) when the path
    is a safetensors checkpoint (or missing: the caller says so)."""
    if path.is_file():
        return (path, None) if is_gguf(path) else (None, f"{path} is a file but not a GGUF")
    if not path.is_dir() or any(path.glob("*.safetensors")):
        return None, None
    found = sorted(p for p in path.glob("*.gguf") if p.is_file())
    if len(found) > 1:
        names = ", ".join(p.name for p in found[:4]) + (" ..." if len(found) > 4 else "")
        return None, (
            f"{path} holds {len(found)} GGUF files ({names}); "
            "register each file on its own to smoke-test it"
        )
    return (found[0], None) if found else (None, None)


def read_header(path: Path) -> GGUFHeader:
    """The validated header (CheckpointError when the file no longer validates)."""
    with open_regular(path, path.name) as fh:
        return read_gguf_header(path.name, fh, os.fstat(fh.fileno()).st_size)


def load_bytes(path: Path, dtype_width: int) -> int:
    """Memory the dequantized weights take (every tensor becomes floats of ``dtype_width``)."""
    try:
        return sum(math.prod(t.shape) for t in read_header(path).tensors) * dtype_width
    except (CheckpointError, OSError):  # its size on disk; the run says why it fails
        return path.stat().st_size


def declared_dtype(path: Path) -> str | None:
    """float16 / bfloat16 / float32 when the 2-D tensors are stored in that float type."""
    try:
        header = read_header(path)
    except (CheckpointError, OSError):
        return None
    types = {t.dtype for t in header.tensors if len(t.shape) > 1}
    return _FLOAT_DTYPES.get(types.pop()) if len(types) == 1 else None


def _architectures() -> set[str]:
    """The GGUF architectures the installed transformers loads (old and new loaders)."""
    names: set[str] = set()
    for module, attr in (
        ("transformers.modeling_gguf_pytorch_utils", "GGUF_SUPPORTED_ARCHITECTURES"),
        ("transformers.integrations.gguf", "GGUF_CONFIG_ARCHS"),
    ):
        try:
            names.update(getattr(lib(module), attr, ()))
        except ImportError:
            continue
    return names - {"general", "tokenizer"}


def _dequantizable(type_name: str) -> bool:
    gguf = lib("gguf")
    np = lib("numpy")
    try:
        qtype = gguf.GGMLQuantizationType(GGML_TYPE_IDS[type_name])
        _, block_bytes = gguf.GGML_QUANT_SIZES[qtype]
        gguf.quants.dequantize(np.zeros(block_bytes, dtype=np.uint8), qtype)
    except (NotImplementedError, ValueError, KeyError):
        return False
    return True


def unsupported(header: GGUFHeader) -> str | None:
    """Why this installation cannot load the file, or None."""
    meta = header.metadata
    parts = meta.get("split.count")
    if isinstance(parts, int) and parts > 1:
        return f"a split GGUF ({parts} files): transformers loads single-file GGUFs only"
    if meta.get("general.type") == "adapter":
        return "a GGUF adapter: transformers cannot load it onto a base model"
    arch = str(meta.get("general.architecture", ""))
    known = _architectures()
    forms = {arch, arch.replace("-", "_"), re.sub(r"(?<!_)moe$", "_moe", arch)}
    if not forms & known:
        version = lib("transformers").__version__
        return f"transformers {version} cannot load GGUF architecture {arch!r}"
    try:
        lib("gguf")
    except ImportError:
        return "the gguf package is not installed: pip install 'modelreg[smoke]'"
    types = sorted({t.dtype for t in header.tensors})
    missing = [t for t in types if t in GGML_TYPE_IDS and not _dequantizable(t)]
    if missing:
        version = _gguf_version()
        example = next(t.name for t in header.tensors if t.dtype == missing[0])
        return (
            f"gguf {version} cannot dequantize tensor type {', '.join(missing)} (tensor {example})"
        )
    return None


def check_file(path: Path) -> tuple[str | None, str | None, bool]:
    """(status, reason, whether the file carries a tokenizer) before a GGUF is loaded: status
    ``fail`` for a header that no longer validates (changed since registration, or hostile),
    ``unsupported`` for what this installation cannot load, None to go ahead."""
    try:
        header = read_header(path)
    except CheckpointError as exc:
        return "fail", f"GGUF header no longer valid: {exc.defect}", False
    reason = unsupported(header)
    if reason is not None:
        return "unsupported", reason, False
    return None, None, "tokenizer.ggml.model" in header.metadata


def _gguf_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gguf")
    except PackageNotFoundError:
        return "?"
