"""Aligning two models' hidden spaces and layers.

The residual stream of a derived model may be rotated (rotation-based quantizers fold the
norms into the next weights and rotate), permuted or sign-flipped: any of these is an
orthogonal map, and the embedding rows of shared tokens carry it. The orthogonal
Procrustes solution ``R = argmin ||E_a R - E_b||`` over orthogonal ``R`` is the polar factor
of ``M = E_a^T E_b``; it is computed by scaled Newton iterations (matrix inverses, several
times faster than an SVD or an eigendecomposition at hidden size 4096) and polished by a
Newton-Schulz step.
A weight ``W_a`` (``[out, hidden]``) then reads ``W_a R`` in model b's basis.
"""

from __future__ import annotations

import numpy as np

NEWTON_SCHULZ_STEPS = 1
POLAR_STEPS = 12


def procrustes(ea: np.ndarray, eb: np.ndarray) -> np.ndarray:
    """The orthogonal ``R`` minimising ``||ea @ R - eb||`` (rows are shared tokens).

    The polar factor of ``M = ea^T eb`` by Higham's scaled Newton iteration (a matrix
    inverse per step, converging in under ten steps whatever the conditioning): at hidden
    size 4096 that is several times faster than the eigendecomposition it falls back to
    when ``M`` is singular (fewer shared tokens than hidden dimensions). Single precision:
    an approximate rotation is all the comparisons need.
    """
    m = ea.astype(np.float32).T @ eb.astype(np.float32)
    m /= float(np.abs(m).max()) or 1.0
    r = _polar_newton(m) if ea.shape[0] >= ea.shape[1] else None
    if r is None:
        r = _polar_eigh(m)
    for _ in range(NEWTON_SCHULZ_STEPS):  # pull the polar factor back onto the orthogonal group
        r = 1.5 * r - 0.5 * r @ (r.T @ r)
    return np.asarray(r, dtype=np.float32)


def _polar_newton(m: np.ndarray) -> np.ndarray | None:
    x = m
    for _ in range(POLAR_STEPS):
        try:
            inv_t = np.linalg.inv(x).T
        except np.linalg.LinAlgError:
            return None
        if not np.isfinite(inv_t).all():
            return None
        zeta = float(np.sqrt(np.linalg.norm(inv_t) / max(float(np.linalg.norm(x)), 1e-30)))
        nxt = 0.5 * (zeta * x + inv_t / zeta)
        change = float(np.linalg.norm(nxt - x)) / max(float(np.linalg.norm(nxt)), 1e-30)
        x = nxt
        if change < 1e-2:  # noise-limited beyond this; the Newton-Schulz step polishes
            break
    return x


def _polar_eigh(m: np.ndarray) -> np.ndarray:
    evals, evecs = np.linalg.eigh(m.T @ m)
    floor = max(float(evals.max()), 1e-30) * 1e-7
    inv_sqrt = (1.0 / np.sqrt(np.maximum(evals, floor))).astype(np.float32)
    return np.asarray((m @ (evecs * inv_sqrt)) @ evecs.T)


def fit_quality(ea: np.ndarray, eb: np.ndarray, r: np.ndarray, rows: int = 1024) -> float:
    """Cosine between the rotated rows of a and the rows of b (1.0: a perfect rotation),
    on up to ``rows`` evenly spaced rows."""
    pick = np.asarray(spread(ea.shape[0], rows))
    return cosine(ea[pick] @ r, eb[pick])


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    na = float(np.linalg.norm(a))
    nb = float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        return 0.0
    return float(np.vdot(a.astype(np.float64), b.astype(np.float64)) / (na * nb))


def spread(count: int, n: int) -> list[int]:
    """``n`` evenly spaced indices in ``range(count)`` (all of them when count <= n)."""
    if count <= n:
        return list(range(count))
    return sorted({int(round(x)) for x in np.linspace(0, count - 1, n)})


def match_layers(similarity: np.ndarray) -> list[tuple[int, int]]:
    """Order-preserving assignment of the shallower model's layers to the deeper one's.

    ``similarity[i, j]`` compares layer i of a with layer j of b. Dynamic programming picks
    ``min(rows, columns)`` pairs, increasing on both sides, with the largest total
    similarity: a model with layers dropped keeps its remaining layers in order.
    """
    rows, cols = similarity.shape
    if rows > cols:
        return [(i, j) for j, i in match_layers(similarity.T)]
    # best[i][j]: best total matching the first i rows within the first j columns
    best = np.full((rows + 1, cols + 1), -np.inf)
    best[0, :] = 0.0
    for i in range(1, rows + 1):
        for j in range(i, cols + 1):
            take = best[i - 1, j - 1] + similarity[i - 1, j - 1]
            best[i, j] = max(best[i, j - 1], take)
    pairs: list[tuple[int, int]] = []
    i, j = rows, cols
    while i > 0:
        if j > i and best[i, j] == best[i, j - 1]:
            j -= 1
        else:
            pairs.append((i - 1, j - 1))
            i -= 1
            j -= 1
    return pairs[::-1]
