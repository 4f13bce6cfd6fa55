"""The small pure pieces of the smoke runner (no torch needed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from registry.db.models import VariantFile
from registry.errors import InvalidInputError
from registry.smoke import files, fingerprint, memory, records
from registry.smoke.environment import check_dtype, parse_device


def test_fingerprint_definition() -> None:
    logits = np.array([0.0, 3.0, 1.0, 3.0, -2.0, 0.5, 0.25, 2.0, 1.5, -1.0])
    lp = logits - np.log(np.exp(logits).sum())
    order = [1, 3, 7, 8, 2, 5, 6, 0]  # descending, ties by smaller id
    payload = "v1|" + ",".join(map(str, order)) + "|" + ",".join(f"{lp[i]:.2f}" for i in order)
    assert fingerprint.logits_fingerprint(logits) == hashlib.sha256(payload.encode()).hexdigest()


def test_fingerprint_ignores_a_shift_and_sees_a_change() -> None:
    rng = np.random.default_rng(0)
    logits = rng.standard_normal(1000) * 3
    base = fingerprint.logits_fingerprint(logits)
    assert fingerprint.logits_fingerprint(logits + 17.0) == base
    assert fingerprint.logits_fingerprint(list(logits)) == base
    changed = logits.copy()
    changed[int(np.argmax(logits))] -= 1.0
    assert fingerprint.logits_fingerprint(changed) != base


def test_fingerprint_refuses_non_finite_and_empty() -> None:
    with pytest.raises(ValueError, match="not finite"):
        fingerprint.logits_fingerprint([0.0, float("nan")])
    with pytest.raises(ValueError, match="empty"):
        fingerprint.logits_fingerprint([])


def test_load_bytes_from_headers(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    save_file(
        {
            "a": np.zeros((4, 8), dtype=np.float32),
            "b": np.zeros(10, dtype=np.float16),
            "ids": np.zeros(3, dtype=np.int64),
        },
        str(tmp_path / "model.safetensors"),
    )
    assert files.load_bytes(tmp_path, "float32") == 32 * 4 + 10 * 4 + 3 * 8
    assert files.load_bytes(tmp_path, "bfloat16") == 32 * 2 + 10 * 2 + 3 * 8
    (tmp_path / "broken.safetensors").write_bytes(b"\x01\x02")
    assert files.load_bytes(tmp_path, "float32") == 32 * 4 + 10 * 4 + 3 * 8 + 2
    assert memory.required_bytes(1000) == 1100 + memory.FIT_OVERHEAD_BYTES


def test_tokenizer_checks(tmp_path: Path) -> None:
    assert not files.has_tokenizer(tmp_path)
    assert files.missing_tokenizer_file(tmp_path) is None
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"vocab_file": "vocab.json"}))
    assert files.has_tokenizer(tmp_path)
    assert files.missing_tokenizer_file(tmp_path) == (
        "tokenizer file vocab.json named by tokenizer_config.json (vocab_file) is missing"
    )
    (tmp_path / "tokenizer_config.json").write_text("{}")
    assert "present but no tokenizer file" in (files.missing_tokenizer_file(tmp_path) or "")
    (tmp_path / "tokenizer.json").write_text("{}")
    assert files.missing_tokenizer_file(tmp_path) is None
    (tmp_path / "tokenizer_config.json").write_text("[1]")
    assert files.missing_tokenizer_file(tmp_path) == "tokenizer_config.json is not a JSON object"


def test_declared_dtype(tmp_path: Path) -> None:
    assert files.declared_dtype(tmp_path) is None
    (tmp_path / "config.json").write_text(json.dumps({"torch_dtype": "bfloat16"}))
    assert files.declared_dtype(tmp_path) == "bfloat16"


def test_local_path() -> None:
    assert records.local_path("/data/m") == Path("/data/m")
    assert records.local_path("file:///data/my%20m") == Path("/data/my m")
    assert records.local_path("hf:org/model") is None
    assert records.local_path("https://example.org/m") is None
    assert records.local_path(None) is None


def test_first_difference() -> None:
    assert records.first_difference([1, 2, 3], [1, 2, 3]) is None
    assert records.first_difference([1, 2, 3], [1, 2]) is None  # over the shorter length
    assert records.first_difference([1, 2, 3], [1, 5, 3]) == 1


def test_content_digest() -> None:
    a = VariantFile(path="a", size=1, sha256="0" * 64)
    b = VariantFile(path="b", size=2, sha256=None, git_oid="1" * 40)
    assert records.content_digest(1, [a, b], None) == records.content_digest(2, [b, a], None)
    assert records.content_digest(1, [a, b], None) != records.content_digest(1, [a, b], "p")
    assert records.content_digest(1, [], None) != records.content_digest(2, [], None)


def test_device_and_dtype_parsing() -> None:
    assert parse_device("auto") == ("auto", None)
    assert parse_device("CUDA:1") == ("cuda", 1)
    for bad in ("cpu:0", "tpu", "cuda:x", ""):
        with pytest.raises(InvalidInputError):
            parse_device(bad)
    assert check_dtype("BFloat16") == "bfloat16"
    with pytest.raises(InvalidInputError):
        check_dtype("int4")


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux only")
def test_peak_rss_is_per_run() -> None:
    memory.reset_peak_rss()
    before = memory.peak_rss_bytes()
    block = bytearray(64 * 1024 * 1024)
    block[::4096] = b"\x01" * len(block[::4096])
    assert memory.peak_rss_bytes() >= before + 60 * 1024 * 1024
    del block
    memory.reset_peak_rss()
    assert memory.peak_rss_bytes() < before + 60 * 1024 * 1024
    assert memory.free_host_bytes() > 0
