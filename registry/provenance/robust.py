"""Tier 3, robust statistics: tests that do not care about the order of output units.

A model whose attention heads or MLP units were permuted has no positional cosine, so these
run whenever tier 2 is not conclusive for derivation.

- AWM-style unbiased CKA of Q and K (:func:`cka`), samples being ``SAMPLE_DIMS`` aligned
  hidden dimensions, as a z-score of the paired layers against unpaired ones (the same
  hidden size and kind of weight, no common origin); z >= 10 derived, 4 <= z < 10
  inconclusive (never fails a gate).
- Zhu et al.'s test (:func:`zhu`): each sampled MLP unit of a is matched to its closest unit
  of b once by gate_proj and once by up_proj; for models from independent initialisations
  the two matchings are unrelated (Spearman rho ~ N(0, 1/(m-1))), for related ones they
  agree. One-sided p-values of the layers are Fisher-combined and Bonferroni-corrected for
  the number of variants compared; p <= 1e-6 derived.
"""

from __future__ import annotations

import math
import statistics
import time

import numpy as np

from registry.provenance.align import spread
from registry.provenance.names import key_text
from registry.provenance.pairing import Alignment, folded, not_comparable
from registry.provenance.records import DERIVED, INCONCLUSIVE, INDEPENDENT, MethodResult
from registry.provenance.stats import cka_of, fisher_log_p, gram_parts, log_normal_sf, spearman
from registry.provenance.weights import Weights

SAMPLE_DIMS = 256
NULL_DRAWS = 100
CKA_DERIVED_Z = 10.0
CKA_INCONCLUSIVE_Z = 4.0
ZHU_UNITS = 256
ZHU_DERIVED_LOG_P = math.log(1e-6)
SEED = 20250


def _sample_dims(hidden: int) -> np.ndarray:
    rng = np.random.default_rng(SEED)
    if hidden <= SAMPLE_DIMS:
        return np.arange(hidden)
    return np.sort(rng.choice(hidden, SAMPLE_DIMS, replace=False))


def cka(a: Weights, b: Weights, al: Alignment) -> MethodResult:
    """Tier 3a: unbiased CKA of the Q and K weights of paired layers, as a z-score against
    the CKA of unpaired layers (layer i of a against layer j != i of b: the same hidden
    size and the same kind of weight, without a common origin).

    Samples are ``SAMPLE_DIMS`` aligned hidden dimensions, so the statistic ignores the
    order of heads and of units within them. Each model's mean Gram over the compared
    layers is subtracted first: every layer's Gram shares the geometry of the residual
    stream, which two models trained on similar data share too (independent tiny models
    reach a raw CKA of 0.2 this way, beyond any permutation null).
    """
    started = time.perf_counter()
    dims = _sample_dims(a.hidden)
    r_dims = al.r[:, dims]
    observed: list[float] = []
    null: list[float] = []
    used: list[str] = []
    for part in ("q", "k"):
        pairs = [(la, lb) for la, lb in al.pairs if a.has((la, part)) and b.has((lb, part))]
        if len(pairs) < 3:
            continue
        grams_a = [_gram((folded(a, la, part, None) @ r_dims).T) for la, _ in pairs]
        grams_b = [_gram(folded(b, lb, part, None)[:, dims].T) for _, lb in pairs]
        parts_a = [gram_parts(g - np.mean(grams_a, axis=0)) for g in grams_a]
        parts_b = [gram_parts(g - np.mean(grams_b, axis=0)) for g in grams_b]
        for i, (la, lb) in enumerate(pairs):
            observed.append(cka_of(parts_a[i], parts_b[i]))
            used.append(f"{key_text((la, part))}~{key_text((lb, part))}")
            null.extend(cka_of(parts_a[i], parts_b[j]) for j in range(len(pairs)) if j != i)
    if len(dims) < 8 or len(null) < 6:
        return not_comparable("fewer than 3 Q/K layer pairs", started, "cka")
    stat = float(np.mean(observed))
    centre = float(np.mean(null))
    z = (stat - centre) / max(float(np.std(null, ddof=1)), 1e-6)
    if z >= CKA_DERIVED_Z:
        verdict = DERIVED
    elif z >= CKA_INCONCLUSIVE_Z:
        verdict = INCONCLUSIVE
    else:
        verdict = INDEPENDENT
    return MethodResult(
        "cka",
        verdict,
        z,
        f"unbiased CKA {stat:.3f} of Q/K over {len(observed)} paired tensors on {len(dims)} "
        f"hidden dims, z = {z:.1f} against {len(null)} unpaired ones (null max {max(null):.3f})",
        null_size=len(null),
        null_max=max(null),
        tensors=used,
        seconds=time.perf_counter() - started,
        extra={"cka": round(stat, 4), "per_tensor": [round(v, 4) for v in observed]},
    )


def _gram(x: np.ndarray) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float32)
    return np.asarray(x @ x.T, dtype=np.float64)


def _closest_units(
    a: Weights, b: Weights, al: Alignment, la: int, lb: int, part: str, units: np.ndarray
) -> np.ndarray:
    dims = _sample_dims(a.hidden)
    xa = folded(a, la, part, units) @ al.r[:, dims]
    xb = folded(b, lb, part, None)[:, dims]
    xa /= np.maximum(np.linalg.norm(xa, axis=1, keepdims=True), 1e-12)
    xb /= np.maximum(np.linalg.norm(xb, axis=1, keepdims=True), 1e-12)
    return np.asarray(np.argmax(xa @ xb.T, axis=1))


def zhu(a: Weights, b: Weights, al: Alignment, bases: int) -> MethodResult:
    """Tier 3b: do the gate- and up-based matchings of MLP units agree? (Zhu et al.)"""
    started = time.perf_counter()
    rng = np.random.default_rng(SEED + 2)
    log_ps: list[float] = []
    rhos: list[float] = []
    null: list[float] = []
    used: list[str] = []
    for la, lb in al.pairs:
        keys = [(la, "gate"), (la, "up")]
        if not all(a.has(k) for k in keys) or not all(b.has((lb, p)) for _, p in keys):
            continue
        m = a.shape((la, "gate"))[0]
        units = np.asarray(spread(m, ZHU_UNITS))
        by_gate = _closest_units(a, b, al, la, lb, "gate", units)
        by_up = _closest_units(a, b, al, la, lb, "up", units)
        rho = spearman(by_gate, by_up)
        rhos.append(rho)
        log_ps.append(log_normal_sf(rho * math.sqrt(len(units) - 1)))
        null.extend(abs(spearman(by_gate, rng.permutation(by_up))) for _ in range(NULL_DRAWS // 10))
        used.append(f"layers.{la}.gate+up~layers.{lb}.gate+up")
    if not log_ps:
        return not_comparable("no gate/up weights to compare", started, "zhu")
    combined = fisher_log_p(log_ps)
    corrected = min(0.0, combined + math.log(max(1, bases)))
    verdict = DERIVED if corrected <= ZHU_DERIVED_LOG_P else INDEPENDENT
    log10 = corrected / math.log(10)
    return MethodResult(
        "zhu",
        verdict,
        log10,
        f"gate/up matchings agree (median Spearman {statistics.median(rhos):.3f}) over "
        f"{len(rhos)} layers: Fisher-combined p = 10^{log10:.1f} after Bonferroni x{bases}",
        null_size=len(null),
        null_max=max(null),
        tensors=used,
        seconds=time.perf_counter() - started,
        extra={"spearman": [round(v, 4) for v in rhos], "log10_p_corrected": round(log10, 2)},
    )
