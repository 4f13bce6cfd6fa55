"""The single-pass hasher: file SHA-256 and per-range digests agree with direct hashing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import xxhash

from registry.checkpoints import chunks, hashing
from registry.checkpoints.hashing import Segment, digest_file, split_ranges, tensor_digests
from registry.errors import CheckpointError


@pytest.mark.parametrize(
    ("chunk", "window", "use_mmap"),
    [
        (1, 4096, True),
        (7, 8192, True),
        (4096, 4096, True),
        (1 << 20, 1 << 26, True),
        (64, 0, False),
    ],
)
def test_one_pass_matches_direct_hashing(
    tmp_path: Path, chunk: int, window: int, use_mmap: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks, "CHUNK", chunk)
    monkeypatch.setattr(chunks, "WINDOW", window)
    monkeypatch.setattr(chunks, "USE_MMAP", use_mmap)
    data = os.urandom(20_000)
    path = tmp_path / "f"
    path.write_bytes(data)
    cuts = [10, 10, 11, 200, 4097, 9000, 12288, 20_000, 20_000]  # empty ranges, one at the end
    segs = [Segment(f"t{i}", a, b) for i, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False))]
    result = digest_file(path, "f", len(data), segs, prefix_len=10)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.prefix == xxhash.xxh3_128(data[:10]).hexdigest()
    for s in segs:
        assert result.tensors[s.name] == xxhash.xxh3_128(data[s.start : s.end]).hexdigest()
    monkeypatch.setattr(hashing, "MIN_RANGE_BYTES", 3000)
    assert tensor_digests(path, "f", segs, workers=3) == result.tensors
    assert tensor_digests(path, "f", segs[3:5], workers=1) == {
        s.name: result.tensors[s.name] for s in segs[3:5]
    }


def test_split_ranges_keeps_order_and_balance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashing, "MIN_RANGE_BYTES", 1)
    segs = [Segment(str(i), i * 10, i * 10 + 10) for i in range(10)]
    groups = split_ranges(segs, 3)
    assert [s for g in groups for s in g] == segs
    assert len(groups) == 3


def test_file_that_changed_size_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    with pytest.raises(CheckpointError, match="grew"):
        digest_file(path, "f", 50)
    with pytest.raises(CheckpointError, match="shrank"):
        digest_file(path, "f", 150)
