"""The numerical pieces: Procrustes, layer assignment, CKA, rank correlation, p-values."""

from __future__ import annotations

import math

import numpy as np

from registry.provenance.align import match_layers, procrustes
from registry.provenance.names import gguf_key, hf_key, unpermute_rows
from registry.provenance.stats import fisher_log_p, log_normal_sf, spearman, unbiased_cka
from registry.provenance.vocab import shared_rows, sketch, sketch_overlap
from tests.provenance.transforms import _llama_cpp_permute


def test_procrustes_recovers_a_rotation() -> None:
    rng = np.random.default_rng(0)
    e = rng.standard_normal((300, 48)).astype(np.float32)
    q, _ = np.linalg.qr(rng.standard_normal((48, 48)))
    r = procrustes(e, e @ q.astype(np.float32))
    np.testing.assert_allclose(r, q, atol=1e-4)
    np.testing.assert_allclose(r.T @ r, np.eye(48), atol=1e-4)


def test_layers_are_assigned_in_order_when_some_were_dropped() -> None:
    rng = np.random.default_rng(1)
    sim = rng.uniform(-0.05, 0.05, (8, 6))
    kept = [0, 1, 3, 4, 6, 7]  # b is a with layers 2 and 5 dropped
    for j, i in enumerate(kept):
        sim[i, j] = 0.9
    assert match_layers(sim) == list(zip(kept, range(6), strict=True))
    assert match_layers(sim.T) == list(zip(range(6), kept, strict=True))


def test_unbiased_cka_is_zero_for_unrelated_and_one_for_rotated() -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((128, 40))
    q, _ = np.linalg.qr(rng.standard_normal((40, 40)))
    perms = [rng.permutation(128) for _ in range(50)]
    same, null = unbiased_cka(x, x @ q, perms)
    assert abs(same - 1.0) < 1e-9
    assert max(abs(v) for v in null) < 0.2
    unrelated = [unbiased_cka(x, rng.standard_normal((128, 40)), [])[0] for _ in range(20)]
    assert abs(float(np.mean(unrelated))) < 0.02


def test_rank_correlation_and_p_values() -> None:
    assert spearman(np.arange(10), np.arange(10) * 3) == 1.0
    assert spearman(np.array([1, 1, 2]), np.array([1, 1, 2])) == 1.0  # ties averaged
    assert math.isclose(log_normal_sf(0.0), math.log(0.5))
    assert math.isclose(log_normal_sf(29.999), log_normal_sf(30.001), rel_tol=1e-3)
    assert log_normal_sf(100.0) < -5000  # no underflow to -inf or 0
    assert math.isclose(fisher_log_p([math.log(0.05)]), math.log(0.05))
    # two p = 0.05: X = 11.98 with 4 degrees of freedom -> p = 0.0175
    assert math.isclose(math.exp(fisher_log_p([math.log(0.05)] * 2)), 0.0175, rel_tol=1e-2)


def test_llama_cpp_permutation_is_undone() -> None:
    w = np.arange(32 * 3).reshape(32, 3)
    permuted = _llama_cpp_permute(w, 4)
    rows = np.arange(32)
    np.testing.assert_array_equal(permuted[unpermute_rows(rows, 32, 4)], w)


def test_names_from_both_conventions() -> None:
    assert hf_key("model.layers.3.self_attn.q_proj.weight") == (3, "q")
    assert hf_key("language_model.model.layers.0.mlp.up_proj.weight") == (0, "up")
    assert hf_key("model.layers.1.post_attention_layernorm.weight") == (1, "mlp_norm")
    assert hf_key("model.norm.weight") == "final_norm"
    assert hf_key("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight") is None
    assert gguf_key("blk.12.attn_k.weight") == (12, "k")
    assert gguf_key("token_embd.weight") == "embed"


def test_shared_rows_follow_token_strings() -> None:
    a = ["x", "y", "z", None]
    b = ["z", "q", "x"]
    ia, ib, how = shared_rows(a, b, 4, 3, 10)
    assert list(ia) == [0, 2] and list(ib) == [2, 0] and how == "token strings"
    ia, ib, how = shared_rows(None, b, 5, 3, 10)
    assert list(ia) == [0, 1, 2] and how.startswith("token ids")
    base = [f"t{i}" for i in range(5000)]
    assert sketch_overlap(sketch(base), sketch(base + ["new"])) > 0.9
    assert sketch_overlap(sketch(base), sketch([f"u{i}" for i in range(5000)])) < 0.05
