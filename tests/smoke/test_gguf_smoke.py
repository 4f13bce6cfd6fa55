"""``modelreg smoke`` of GGUF checkpoints: loaded through transformers' GGUF support and
dequantized, with the tokenizer the file carries; what this installation cannot load is a
clear ``unsupported`` (exit 4, nothing recorded), never a crash. Both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.checkpoints import gguf_builders as gb
from tests.conftest import Cli
from tests.smoke import builders

pytestmark = pytest.mark.smoke

pytest.importorskip("torch")
pytest.importorskip("transformers")

ARGS = ("--device", "cpu", "--max-new-tokens", "4", "--format", "json")


@pytest.fixture(scope="module")
def ggufs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``q8/`` and ``f16.gguf`` with a tokenizer; ``f32/`` and its safetensors twin ``hf/``
    without one; ``f64/`` (norms in F64, which gguf cannot dequantize); ``rwkv/``."""
    root = tmp_path_factory.mktemp("gguf-smoke")
    tok = gb.llama_weights(seed=5, vocab=gb.vocab_size(True))
    gb.write_gguf(root / "q8" / "model.gguf", tok, qtype="Q8_0", tokenizer=True)
    gb.write_gguf(root / "f16.gguf", tok, qtype="F16", tokenizer=True)
    plain = gb.llama_weights(seed=6)
    gb.write_gguf(root / "f32" / "model.gguf", plain, qtype="F32")
    gb.write_safetensors_twin(root / "hf", plain)
    gb.write_gguf(root / "f64" / "model.gguf", plain, qtype="F16", float_type="F64")
    _write_other_architecture(root / "rwkv" / "model.gguf")
    return root


def _write_other_architecture(path: Path) -> None:
    import gguf

    path.parent.mkdir(parents=True)
    writer = gguf.GGUFWriter(str(path), "rwkv6")
    writer.add_tensor("token_embd.weight", np.zeros((8, 32), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _runs(res: Any) -> dict[str, dict[str, Any]]:
    return {r["variant"]: r for r in res.json()["runs"]}


def test_q8_and_f16_ggufs_load_tokenize_and_generate(cli: Cli, ggufs: Path) -> None:
    from transformers import AutoTokenizer

    builders.register(cli, "q8", ggufs / "q8")
    builders.register(cli, "f16", ggufs / "f16.gguf")  # a single registered file
    res = cli("smoke", "q8", "f16", *ARGS)
    assert res.exit_code == 0, res.stderr
    runs = _runs(res)
    tokenizer = AutoTokenizer.from_pretrained(str(ggufs / "q8"), gguf_file="model.gguf")
    expected = tokenizer("The capital of France is")["input_ids"]
    for name in ("q8", "f16"):
        run = runs[name]
        assert run["status"] == "pass" and run["reason"] is None
        assert run["used_tokenizer"] is True and run["prompt_ids"] == expected
        assert len(run["generated_ids"]) == 4
        assert all(0 <= t < gb.vocab_size(True) for t in run["generated_ids"])
    assert runs["q8"]["logits_fingerprint"] != runs["f16"]["logits_fingerprint"]
    assert [r.status for r in builders.runs(cli.db_url)] == ["pass", "pass"]
    again = cli("smoke", "q8", *ARGS)  # same content, same tokens: no drift
    assert again.exit_code == 0 and _runs(again)["q8"]["reference_run_id"] is not None


def test_an_f32_gguf_generates_what_its_safetensors_source_generates(cli: Cli, ggufs: Path) -> None:
    builders.register(cli, "gguf", ggufs / "f32")
    builders.register(cli, "hf", ggufs / "hf")
    res = cli("smoke", "gguf", "hf", *ARGS)
    assert res.exit_code == 0, res.stderr
    runs = _runs(res)
    assert runs["gguf"]["used_tokenizer"] is False  # fixed ids: the file carries no tokenizer
    assert runs["gguf"]["prompt_ids"] == runs["hf"]["prompt_ids"]
    assert runs["gguf"]["generated_ids"] == runs["hf"]["generated_ids"]
    assert runs["gguf"]["logits_fingerprint"] == runs["hf"]["logits_fingerprint"]


def test_unsupported_tensor_type_and_architecture_are_a_clear_skip(cli: Cli, ggufs: Path) -> None:
    builders.register(cli, "f64", ggufs / "f64")
    builders.register(cli, "rwkv", ggufs / "rwkv")
    builders.register(cli, "q8", ggufs / "q8")
    res = cli("smoke", "f64", "rwkv", "q8", *ARGS)
    assert res.exit_code == 4, res.stderr
    runs = _runs(res)
    assert runs["q8"]["status"] == "pass"
    assert runs["f64"]["status"] == "unsupported"
    assert runs["f64"]["reason"].startswith("gguf ")
    assert "cannot dequantize tensor type F64 (tensor " in runs["f64"]["reason"]
    assert runs["rwkv"]["status"] == "unsupported"
    assert runs["rwkv"]["reason"].endswith("cannot load GGUF architecture 'rwkv6'")
    assert res.json()["summary"]["unsupported"] == 2
    assert "error: 2 checkpoint(s) not run: unsupported here" in res.stderr
    assert "Traceback" not in res.stderr
    assert [r.status for r in builders.runs(cli.db_url)] == ["pass"]  # skips are not runs
    table = cli("smoke", "rwkv", "--device", "cpu")
    assert table.exit_code == 4
    row = next(line for line in table.stdout.splitlines() if line.startswith("rwkv "))
    assert row.split()[:2] == ["rwkv", "unsupported"] and row.endswith("architecture 'rwkv6'")


def test_a_gguf_turned_hostile_or_ambiguous_fails_without_reaching_transformers(
    cli: Cli, ggufs: Path, tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile"
    gb.write_gguf(hostile / "model.gguf", gb.llama_weights(seed=7), qtype="Q8_0")
    builders.register(cli, "hostile", hostile)
    data = bytearray((hostile / "model.gguf").read_bytes())
    data[16:24] = (2**40).to_bytes(8, "little")  # an absurd key/value count
    (hostile / "model.gguf").write_bytes(bytes(data))
    two = tmp_path / "two"
    gb.write_gguf(two / "a.gguf", gb.llama_weights(seed=8), qtype="Q8_0")
    gb.write_gguf(two / "b.gguf", gb.llama_weights(seed=8), qtype="F16")
    builders.register(cli, "two", two)
    res = cli("smoke", "hostile", "two", *ARGS)
    assert res.exit_code == 1
    runs = _runs(res)
    assert runs["hostile"]["status"] == "fail"
    assert runs["hostile"]["reason"] == (
        "GGUF header no longer valid: key/value count 1099511627776 exceeds the cap of 1048576"
    )
    assert runs["two"]["status"] == "fail"
    assert "holds 2 GGUF files (a.gguf, b.gguf)" in runs["two"]["reason"]
    assert [r.status for r in builders.runs(cli.db_url)] == ["fail", "fail"]


def test_memory_needed_counts_the_dequantized_weights(ggufs: Path) -> None:
    from registry.smoke.files import declared_dtype, load_bytes

    numel = sum(a.size for a in gb.llama_weights(seed=5, vocab=gb.vocab_size(True)).values())
    assert load_bytes(ggufs / "q8" / "model.gguf", "float32") == numel * 4
    assert load_bytes(ggufs / "f16.gguf", "bfloat16") == numel * 2
    assert declared_dtype(ggufs / "f16.gguf") == "float16"
    assert declared_dtype(ggufs / "q8" / "model.gguf") is None


@pytest.mark.gpu
def test_gguf_on_cuda_matches_its_safetensors_twin(cli: Cli, ggufs: Path) -> None:
    """On a GPU: a quantized GGUF loads and generates in bfloat16, and an F32 GGUF generates
    the tokens its safetensors source generates on the same device and dtype."""
    import torch

    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA device")
    for name, path in (("q8", ggufs / "q8"), ("gguf", ggufs / "f32"), ("hf", ggufs / "hf")):
        builders.register(cli, name, path)
    cuda = ("--device", "cuda", "--max-new-tokens", "4", "--format", "json")
    res = cli("smoke", "q8", *cuda, "--dtype", "bfloat16")
    assert res.exit_code == 0, res.stderr
    assert res.json()["device"]["type"] == "cuda"
    assert _runs(res)["q8"]["status"] == "pass"
    res = cli("smoke", "gguf", "hf", *cuda, "--dtype", "float32")
    assert res.exit_code == 0, res.stderr
    runs = _runs(res)
    assert runs["gguf"]["generated_ids"] == runs["hf"]["generated_ids"]
    assert [r.memory_kind for r in builders.runs(cli.db_url)] == ["gpu"] * 3
