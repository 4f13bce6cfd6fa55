"""Pairing two checkpoints before comparing them: their hidden spaces and their layers.

The rotation from a's hidden space to b's comes from an orthogonal Procrustes fit on up to
``EMBED_ROWS`` embedding rows of tokens both vocabularies hold (:mod:`.align`). Layers are
paired one to one when depths agree, else by an order-preserving assignment on the aligned
cosine of their Q weights; ``LAYERS`` evenly spaced pairs are kept. Norm weights are folded
into the weights they scale (:func:`folded`), so a child whose norms were folded in before a
rotation compares like one that kept them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from registry.provenance.align import cosine, fit_quality, match_layers, procrustes, spread
from registry.provenance.names import Key
from registry.provenance.records import NOT_COMPARABLE, MethodResult
from registry.provenance.vocab import shared_rows
from registry.provenance.weights import Weights

EMBED_ROWS = 8192
MIN_SHARED_ROWS = 16
LAYERS = 8
LAYER_MATCH_ROWS = 64


@dataclass
class Alignment:
    r: np.ndarray
    fit: float
    shared: int
    how: str
    pairs: list[tuple[int, int]]
    seconds: float


def norm_key(part: str) -> str:
    return "attn_norm" if part in ("q", "k", "v") else "mlp_norm"


def folded(w: Weights, layer: int, part: str, index: np.ndarray | None) -> np.ndarray:
    """Rows of a layer weight with its input norm folded in (``W diag(gamma)``)."""
    rows = w.rows((layer, part), index)
    return np.asarray(rows * w.vector((layer, norm_key(part)), rows.shape[1])[None, :])


def align(a: Weights, b: Weights) -> Alignment | MethodResult:
    """The rotation from a's hidden space to b's, and the layer pairs to compare."""
    started = time.perf_counter()
    if not a.hidden or a.hidden != b.hidden:
        return not_comparable(f"hidden sizes differ ({a.hidden} vs {b.hidden})", started)
    key: Key = "embed" if a.has("embed") and b.has("embed") else "lm_head"
    if not (a.has(key) and b.has(key)):
        return not_comparable("no embedding (or output head) on both sides", started)
    ia, ib, how = shared_rows(a.tokens, b.tokens, a.shape(key)[0], b.shape(key)[0], EMBED_ROWS)
    if len(ia) < MIN_SHARED_ROWS:
        return not_comparable(f"only {len(ia)} shared tokens", started)
    ea, eb = a.rows(key, ia), b.rows(key, ib)
    if key == "lm_head":
        ea *= a.vector("final_norm", a.hidden)[None, :]
        eb *= b.vector("final_norm", b.hidden)[None, :]
    r = procrustes(ea, eb)
    fit = fit_quality(ea, eb, r)
    depth_a = [i for i in range(a.layers) if a.has((i, "q"))]
    depth_b = [i for i in range(b.layers) if b.has((i, "q"))]
    if not depth_a or not depth_b:
        return not_comparable("no attention weights", started)
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
        index = np.asarray(spread(a.shape((la, "q"))[0], LAYER_MATCH_ROWS))
        rotated = folded(a, la, "q", index) @ r
        for j, lb in enumerate(depth_b):
            if b.shape((lb, "q"))[0] > int(index.max()):
                sim[i, j] = cosine(rotated, folded(b, lb, "q", index))
    pairs = match_layers(sim)
    return [(depth_a[i], depth_b[j]) for i, j in pairs]


def not_comparable(reason: str, started: float, method: str = "alignment") -> MethodResult:
    return MethodResult(method, NOT_COMPARABLE, None, reason, seconds=time.perf_counter() - started)
