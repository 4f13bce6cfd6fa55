"""Tiers 2 and 3: compare two checkpoints' weights through an alignment of their hidden
spaces (:mod:`.pairing`).

Tier 2, aligned cosine: the cosine of ``W_a R`` and ``W_b`` for Q, K, V and up_proj of each
layer pair, on ``COSINE_ROWS`` evenly spaced rows. The median decides: >= 0.2 derived,
0.02-0.2 inconclusive, below independent. Null: the same cosines with b's rows shifted.
Tier 3 (:mod:`.robust`) runs whenever tier 2 is not conclusive for derivation.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from registry.provenance.align import spread
from registry.provenance.names import key_text
from registry.provenance.pairing import Alignment, align, folded, not_comparable
from registry.provenance.records import (
    DERIVED,
    INCONCLUSIVE,
    INDEPENDENT,
    MethodResult,
)
from registry.provenance.robust import cka, zhu
from registry.provenance.weights import Weights

COSINE_ROWS = 256
NULL_SHIFTS = 8
COSINE_DERIVED = 0.2
COSINE_INCONCLUSIVE = 0.02

__all__ = ["align", "aligned_cosine", "cka", "compare_weights", "zhu"]


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
            wa = folded(a, la, part, index) @ al.r
            wb = folded(b, lb, part, index)
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
        return not_comparable("no Q/K/V/up weights of equal shape", started, "aligned-cosine")
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
