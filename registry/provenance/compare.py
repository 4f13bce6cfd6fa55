"""Tiers 2 and 3: compare two checkpoints' weights through an alignment of their hidden spaces.

1. Align: orthogonal Procrustes on up to ``EMBED_ROWS`` embedding rows of shared tokens
   (:mod:`.align`); layers are paired one to one when depths agree, else by an
   order-preserving assignment on the aligned cosine of their Q weights; ``LAYERS`` evenly
   spaced pairs are kept. Norm weights are folded into the weights they scale first, so a
   child whose norms were folded in before a rotation compares like one that kept them.
2. Aligned cosine (tier 2): cosine of ``W_a R`` and ``W_b`` for Q, K, V and up_proj of each
   pair, on ``COSINE_ROWS`` evenly spaced rows. The median decides: >= 0.2 derived,
   0.02-0.2 inconclusive, below independent. Null: the same cosines with b's rows shifted.
3. Robust statistics (tier 3), whenever tier 2 is not conclusive for derivation (a model
   whose attention heads or MLP units were permuted has no positional cosine, and these
   statistics do not care about the order of output units):
   - AWM-style unbiased CKA of Q and K, samples being ``SAMPLE_DIMS`` aligned hidden
     dimensions, as a z-score of the paired layers against unpaired ones (the same hidden
     size and kind of weight, no common origin); z >= 10 derived, 4 <= z < 10
     inconclusive (never fails a gate);
   - Zhu et al.'s test: each sampled MLP unit of a is matched to its closest unit of b
     once by gate_proj and once by up_proj; for models from independent initialisations
     the two matchings are unrelated (Spearman rho ~ N(0, 1/(m-1))), for related ones they
     agree. One-sided p-values of the layers are Fisher-combined and Bonferroni-corrected
     for the number of variants compared; p <= 1e-6 derived.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass

import numpy as np

from registry.provenance.align import cosine, fit_quality, match_layers, procrustes, spread
from registry.provenance.names import Key, key_text
from registry.provenance.records import (
    DERIVED,
    INCONCLUSIVE,
    INDEPENDENT,
    NOT_COMPARABLE,
    MethodResult,
)
from registry.provenance.stats import (
    cka_of,
    fisher_log_p,
    gram_parts,
    log_normal_sf,
    spearman,
)
from registry.provenance.vocab import shared_rows
from registry.provenance.weights import Weights

EMBED_ROWS = 8192
MIN_SHARED_ROWS = 16
LAYERS = 8
COSINE_ROWS = 256
NULL_SHIFTS = 8
COSINE_DERIVED = 0.2
COSINE_INCONCLUSIVE = 0.02
SAMPLE_DIMS = 256
NULL_DRAWS = 100
CKA_DERIVED_Z = 10.0
CKA_INCONCLUSIVE_Z = 4.0
ZHU_UNITS = 256
ZHU_DERIVED_LOG_P = math.log(1e-6)
SEED = 20250


@dataclass
class Alignment:
    r: np.ndarray
    fit: float
    shared: int
    how: str
    pairs: list[tuple[int, int]]
    seconds: float


def _norm_key(part: str) -> str:
    return "attn_norm" if part in ("q", "k", "v") else "mlp_norm"


def _folded(w: Weights, layer: int, part: str, index: np.ndarray | None) -> np.ndarray:
    """Rows of a layer weight with its input norm folded in (``W diag(gamma)``)."""
    rows = w.rows((layer, part), index)
    return np.asarray(rows * w.vector((layer, _norm_key(part)), rows.shape[1])[None, :])


def align(a: Weights, b: Weights) -> Alignment | MethodResult:
    """The rotation from a's hidden space to b's, and the layer pairs to compare."""
    started = time.perf_counter()
    if not a.hidden or a.hidden != b.hidden:
        return _not_comparable(f"hidden sizes differ ({a.hidden} vs {b.hidden})", started)
    key: Key = "embed" if a.has("embed") and b.has("embed") else "lm_head"
    if not (a.has(key) and b.has(key)):
        return _not_comparable("no embedding (or output head) on both sides", started)
    ia, ib, how = shared_rows(a.tokens, b.tokens, a.shape(key)[0], b.shape(key)[0], EMBED_ROWS)
    if len(ia) < MIN_SHARED_ROWS:
        return _not_comparable(f"only {len(ia)} shared tokens", started)
    ea, eb = a.rows(key, ia), b.rows(key, ib)
    if key == "lm_head":
        ea *= a.vector("final_norm", a.hidden)[None, :]
        eb *= b.vector("final_norm", b.hidden)[None, :]
    r = procrustes(ea, eb)
    fit = fit_quality(ea, eb, r)
    depth_a = [i for i in range(a.layers) if a.has((i, "q"))]
    depth_b = [i for i in range(b.layers) if b.has((i, "q"))]
    if not depth_a or not depth_b:
        return _not_comparable("no attention weights", started)
    if len(depth_a) == len(depth_b):
        pairs = list(zip(depth_a, depth_b, strict=True))
    else:
        pairs = _assign_layers(a, b, r, depth_a, depth_b)
    keep = spread(len(pairs), LAYERS)
    return Alignment(r, fit, len(ia), how, [pairs[i] for i in keep], time.perf_counter() - started)


def _assign_layers(
    a: Weights, b: Weights, r: np.ndarray, depth_a: list[int], depth_b: list[int]
) -> list[tuple[int, int]]:
    sim = np.zeros((len(depth_a), len(depth_b)))
    for i, la in enumerate(depth_a):
        index = np.asarray(spread(a.shape((la, "q"))[0], COSINE_ROWS // 4))
        rotated = _folded(a, la, "q", index) @ r
        for j, lb in enumerate(depth_b):
            if b.shape((lb, "q"))[0] > int(index.max()):
                sim[i, j] = cosine(rotated, _folded(b, lb, "q", index))
    pairs = match_layers(sim)
    return [(depth_a[i], depth_b[j]) for i, j in pairs]


def _not_comparable(reason: str, started: float, method: str = "alignment") -> MethodResult:
    return MethodResult(method, NOT_COMPARABLE, None, reason, seconds=time.perf_counter() - started)


def aligned_cosine(a: Weights, b: Weights, al: Alignment) -> MethodResult:
    """Tier 2: median aligned cosine of Q, K, V and up_proj over the layer pairs."""
    started = time.perf_counter()
    values: list[float] = []
    null: list[float] = []
    used: list[str] = []
    for la, lb in al.pairs:
        for part in ("q", "k", "v", "up"):
            ka, kb = (la, part), (lb, part)
            if not (a.has(ka) and b.has(kb)) or a.shape(ka) != b.shape(kb):
                continue
            index = np.asarray(spread(a.shape(ka)[0], COSINE_ROWS))
            wa = _folded(a, la, part, index) @ al.r
            wb = _folded(b, lb, part, index)
            norms = float(np.linalg.norm(wa)) * float(np.linalg.norm(wb)) or 1.0
            dots = (wa.astype(np.float64) @ wb.T.astype(np.float64)) / norms
            values.append(float(np.trace(dots)))
            # null: row i of a against row i + s of b (same tensors, no correspondence)
            rows = np.arange(len(index))
            null.extend(
                float(dots[rows, (rows + s) % len(index)].sum()) for s in range(1, NULL_SHIFTS + 1)
            )
            used.append(f"{key_text(ka)}~{key_text(kb)}")
    if not values:
        return _not_comparable("no Q/K/V/up weights of equal shape", started, "aligned-cosine")
    median = float(statistics.median(values))
    if median >= COSINE_DERIVED:
        verdict = DERIVED
    elif median >= COSINE_INCONCLUSIVE:
        verdict = INCONCLUSIVE
    else:
        verdict = INDEPENDENT
    return MethodResult(
        "aligned-cosine",
        verdict,
        median,
        f"median aligned cosine {median:.3f} over {len(values)} tensors "
        f"(null max {max(null):.3f}; embedding fit {al.fit:.3f} on {al.shared} {al.how})",
        null_size=len(null),
        null_max=max(null),
        tensors=used,
        seconds=time.perf_counter() - started + al.seconds,
        extra={"cosines": [round(v, 4) for v in values], "embedding_fit": round(al.fit, 4)},
    )


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
        grams_a = [_gram((_folded(a, la, part, None) @ r_dims).T) for la, _ in pairs]
        grams_b = [_gram(_folded(b, lb, part, None)[:, dims].T) for _, lb in pairs]
        parts_a = [gram_parts(g - np.mean(grams_a, axis=0)) for g in grams_a]
        parts_b = [gram_parts(g - np.mean(grams_b, axis=0)) for g in grams_b]
        for i, (la, lb) in enumerate(pairs):
            observed.append(cka_of(parts_a[i], parts_b[i]))
            used.append(f"{key_text((la, part))}~{key_text((lb, part))}")
            null.extend(cka_of(parts_a[i], parts_b[j]) for j in range(len(pairs)) if j != i)
    if len(dims) < 8 or len(null) < 6:
        return _not_comparable("fewer than 3 Q/K layer pairs", started, "cka")
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
    xa = _folded(a, la, part, units) @ al.r[:, dims]
    xb = _folded(b, lb, part, None)[:, dims]
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
        return _not_comparable("no gate/up weights to compare", started, "zhu")
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


def compare_weights(a: Weights, b: Weights, bases: int = 1) -> list[MethodResult]:
    """Tier 2, then tier 3 unless tier 2 found derivation; one record per method that ran."""
    al = align(a, b)
    if isinstance(al, MethodResult):
        return [al]
    methods = [aligned_cosine(a, b, al)]
    if methods[0].verdict != DERIVED:
        methods.append(cka(a, b, al))
        methods.append(zhu(a, b, al, bases))
    return methods
