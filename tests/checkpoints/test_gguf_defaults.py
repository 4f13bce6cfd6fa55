"""How a GGUF's metadata becomes registration defaults (no database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from registry.checkpoints.ggml_types import is_quantized
from registry.checkpoints.gguf_defaults import base_reference, gguf_defaults, gguf_name
from registry.checkpoints.manifest import FileEntry, TensorEntry
from tests.checkpoints import gguf_builders as gb


@pytest.mark.parametrize(
    ("base", "reference"),
    [
        ({"repo_url": "https://huggingface.co/meta-llama/Llama-3.1-8B"}, "meta-llama/Llama-3.1-8B"),
        ({"repo_url": "https://huggingface.co/org/m.v2/tree/main", "name": "x"}, "org/m.v2"),
        ({"repo_url": "https://huggingface.co/org/m.git"}, "org/m"),
        ({"repo_url": "https://www.huggingface.co/org/m/"}, "org/m"),
        (
            {"repo_url": "https://huggingface.co/datasets/org/d"},
            "https://huggingface.co/datasets/org/d",
        ),
        ({"repo_url": "https://github.com/org/m"}, "https://github.com/org/m"),
        ({"name": " Llama 3.1 8B ", "organization": "Meta Llama"}, "Llama 3.1 8B"),
        ({"organization": "Meta Llama"}, None),
    ],
)
def test_base_reference(base: dict[str, str], reference: str | None) -> None:
    assert base_reference(base) == reference


@pytest.mark.parametrize(
    ("file_type", "types", "quantized"),
    [
        (7, ["F32"], True),  # MOSTLY_Q8_0 says so, whatever the tensors
        (1, ["Q8_0"], False),  # MOSTLY_F16
        (32, [], False),  # MOSTLY_BF16
        (1024, ["F32", "Q4_K"], True),  # guessed: the tensors decide
        (None, ["F16", "F32"], False),
        ("7", ["IQ2_XS"], True),  # not an integer: the tensors decide
        (True, ["F32"], False),
    ],
)
def test_is_quantized(file_type: Any, types: list[str], quantized: bool) -> None:
    assert is_quantized(file_type, types) is quantized


def _entry(path: str, details: dict[str, Any], dtype: str = "Q8_0") -> FileEntry:
    tensor = TensorEntry("w", dtype, (4, 32), 0, 34 * 4, "d")
    return FileEntry(path, 1, "s", format="gguf", tensors=(tensor,), details=details)


def test_split_parts_add_up_and_other_files_are_ignored() -> None:
    parts = [
        _entry("m-00001-of-00002.gguf", {"split.count": 2, "parameter_count": 10,
                                          "general.license": "llama3.1"}),
        _entry("m-00002-of-00002.gguf", {"split.count": 2, "parameter_count": 5}),
        FileEntry("README.md", 1, "s"),
    ]  # fmt: skip
    defaults = gguf_defaults(parts)
    assert defaults is not None
    assert defaults.parameter_count == 15 and defaults.card.licenses == ("llama3.1",)
    assert (
        defaults.warnings == []
        and defaults.source == "m-00001-of-00002.gguf, m-00002-of-00002.gguf"
    )
    assert gguf_defaults([FileEntry("model.safetensors", 1, "s", format="safetensors")]) is None


def test_bases_and_relation() -> None:
    bases = [{"name": "A", "repo_url": "https://huggingface.co/o/a"}, {"name": "B"}]
    merged = gguf_defaults([_entry("m.gguf", {"general.base_model": bases}, dtype="F16")])
    assert merged is not None
    assert merged.card.base_models == ("o/a", "B") and merged.card.base_model_relation == "merge"
    quant = gguf_defaults([_entry("m.gguf", {"general.base_model": bases[:1]})])
    assert quant is not None and quant.card.base_model_relation == "quantized"
    none = gguf_defaults([_entry("m.gguf", {})])
    assert none is not None and none.card.base_models == () and none.card.licenses == ()


def test_gguf_name_reads_headers_only_and_needs_agreement(tmp_path: Path) -> None:
    weights = gb.llama_weights(vocab=32)
    gb.write_gguf(tmp_path / "a" / "m.gguf", weights, metadata={"general.name": "Model A"})
    (tmp_path / "a" / "notes.txt").write_text("not a model")
    assert gguf_name(tmp_path / "a") == "Model A"
    assert gguf_name(tmp_path / "a" / "m.gguf") == "Model A"
    gb.write_gguf(tmp_path / "a" / "n.gguf", weights, metadata={"general.name": "Model B"})
    assert gguf_name(tmp_path / "a") is None
    gb.write_gguf(tmp_path / "c" / "m.gguf", weights, metadata={"general.name": "bad\x07name"})
    assert gguf_name(tmp_path / "c") is None
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "m.gguf").write_bytes(b"GGUF" + b"\xff" * 60)  # add reports it, not this
    assert gguf_name(tmp_path / "d") is None
