"""Tiers 2 and 3 on synthetic numpy models: each thing a derivative does keeps it found,
and an independent model of the same shape is never found."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from registry.provenance.compare import compare_weights
from registry.provenance.records import DERIVED, INDEPENDENT, combine
from registry.provenance.weights import open_weights
from tests.provenance import transforms as T

HEADS, KV = 4, 2
TOKENS = T.tokens_for(256)

Build = Callable[[T.State, Path], Path]


def _save(state: T.State, path: Path, extra_tokens: int = 0) -> Path:
    return T.save(path, state, T.tokens_for(256, extra_tokens), HEADS, KV)


CHILDREN: dict[str, Build] = {
    "fine-tune": lambda s, p: _save(T.finetune(s, 1, 0.3), p),
    "continued pre-training": lambda s, p: _save(T.finetune(s, 2, 1.2), p),
    "rotation with folded norms": lambda s, p: _save(T.fold_and_rotate(s, 3), p),
    "permuted heads, MLP units and residual signs": lambda s, p: _save(
        T.permute_units(s, 4, HEADS, KV), p
    ),
    "vocabulary extension": lambda s, p: _save(T.extend_vocab(s, 5, 64), p, 64),
    "layer drop": lambda s, p: _save(T.drop_layers(s, [1, 4]), p),
    "int8 with row scales": lambda s, p: _save(T.int8_tensors(s), p),
    "GGUF Q8_0": lambda s, p: T.save_gguf(p / "model.gguf", s, TOKENS, "Q8_0", HEADS, KV).parent,
    "GGUF Q4_0": lambda s, p: T.save_gguf(p / "model.gguf", s, TOKENS, "Q4_0", HEADS, KV).parent,
    "rotated, then fine-tuned and permuted": lambda s, p: _save(
        T.permute_units(T.finetune(T.fold_and_rotate(s, 6), 7, 0.5), 8, HEADS, KV), p
    ),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[T.State, Path]:
    state = T.random_state(0, layers=6)
    return state, _save(state, tmp_path_factory.mktemp("base"))


@pytest.mark.parametrize("kind", sorted(CHILDREN))
def test_derived_child_is_found(kind: str, base: tuple[T.State, Path], tmp_path: Path) -> None:
    state, base_dir = base
    child = CHILDREN[kind](state, tmp_path)
    methods = compare_weights(open_weights(child), open_weights(base_dir))
    result = combine("child", "base", methods, 0.0)
    assert result.verdict == DERIVED, [m.to_dict() for m in methods]
    for m in methods:  # every record says what it compared and against what null
        assert m.tensors and m.null_size > 0 and m.null_max is not None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_independent_model_is_not_found(
    seed: int, base: tuple[T.State, Path], tmp_path: Path
) -> None:
    _, base_dir = base
    other = _save(T.random_state(seed, layers=6), tmp_path)
    methods = compare_weights(open_weights(other), open_weights(base_dir))
    assert combine("other", "base", methods, 0.0).verdict == INDEPENDENT, [
        m.to_dict() for m in methods
    ]
    assert [m.method for m in methods] == ["aligned-cosine", "cka", "zhu"]


def test_different_hidden_size_is_not_comparable(
    tmp_path: Path, base: tuple[T.State, Path]
) -> None:
    _, base_dir = base
    wide = _save(T.random_state(9, hidden=128, kv=64), tmp_path)
    (method,) = compare_weights(open_weights(wide), open_weights(base_dir))
    assert method.verdict == "not-comparable"
    assert "hidden sizes differ (128 vs 64)" in method.summary


def test_gguf_rows_come_back_in_hugging_face_order(tmp_path: Path) -> None:
    state = T.random_state(11)
    path = T.save_gguf(tmp_path / "m.gguf", state, TOKENS, "F32", HEADS, KV)
    weights = open_weights(path.parent)
    assert weights.format == "gguf" and weights.tokens == TOKENS
    for part, name in (("q", "q_proj"), ("k", "k_proj")):
        hf = state[f"model.layers.2.self_attn.{name}.weight"]
        rows = np.array([0, 5, 9, 17, 31])
        np.testing.assert_array_equal(weights.rows((2, part), rows), hf[rows])
    np.testing.assert_array_equal(weights.rows("embed"), state["model.embed_tokens.weight"])
