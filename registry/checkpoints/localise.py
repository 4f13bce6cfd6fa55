"""Naming the tensors of a safetensors or GGUF file that changed since it was registered.

Called by ``verify`` only for a file whose SHA-256 no longer matches. The new header is
validated as strictly as at ``add``; the tensor digests are computed (ranges of the file
split across threads) and compared with the recorded ones by name. Tensors added, removed,
or whose dtype, shape or bytes differ are all reported. A header that no longer validates
is reported as a note, not raised: verify still reports the file as modified (exit 1).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from registry.checkpoints.file_formats import header_segments, open_regular
from registry.checkpoints.gguf_format import GGUFFormatError, read_gguf_header
from registry.checkpoints.hashing import tensor_digests
from registry.checkpoints.manifest import TensorEntry
from registry.checkpoints.safetensors_format import SafetensorsFormatError, read_header
from registry.progress import NULL_PROGRESS, Progress


def localise_change(
    path: Path,
    rel: str,
    recorded: Sequence[TensorEntry],
    progress: Progress = NULL_PROGRESS,
    *,
    file_format: str = "safetensors",
) -> tuple[list[str], str | None]:
    """(sorted names of the tensors that differ, a note or None)."""
    reader = read_gguf_header if file_format == "gguf" else read_header
    with open_regular(path, rel) as fh:
        size = os.fstat(fh.fileno()).st_size
        try:
            header = reader(rel, fh, size)
        except (SafetensorsFormatError, GGUFFormatError) as exc:
            return [], f"header no longer valid: {exc.defect}"
    segments = header_segments(header)
    progress.start(f"localising {rel}", sum(s.end - s.start for s in segments))
    try:
        digests = tensor_digests(path, rel, segments, progress=progress)
    finally:
        progress.finish()
    now = {t.name: (t.dtype, t.shape, digests[t.name]) for t in header.tensors}
    then = {t.name: (t.dtype, t.shape, t.digest) for t in recorded}
    changed = sorted(n for n in set(now) | set(then) if now.get(n) != then.get(n))
    note = None if changed else "tensor bytes unchanged (header or padding differs)"
    return changed, note
