"""The statistics of tiers 2 and 3, on plain numpy arrays.

- :func:`cka_of` / :func:`unbiased_cka`: linear CKA from the unbiased HSIC estimator (Song
  et al. 2012), whose expectation is 0 for unrelated representations whatever their size.
- :func:`spearman` and :func:`log_normal_sf`: Zhu et al.'s rank correlation of two matchings
  and its one-sided p-value (in logs: related models reach p = 1e-100 and beyond).
- :func:`fisher_log_p`: Fisher's method for independent p-values, in logs.
"""

from __future__ import annotations

import math

import numpy as np


def _centered_parts(k: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """The Gram with a zero diagonal, its row sums and its total (for the HSIC_1 estimator)."""
    kt = k.astype(np.float64, copy=True)
    np.fill_diagonal(kt, 0.0)
    rows = kt.sum(axis=1)
    return kt, rows, float(rows.sum())


Parts = tuple[np.ndarray, np.ndarray, float]


def _hsic(k: Parts, g: Parts) -> float:
    kt, krow, ksum = k
    lt, lrow, lsum = g
    n = int(kt.shape[0])
    trace = float(np.einsum("ij,ji->", kt, lt))
    cross = float(krow @ lrow)
    return (trace + ksum * lsum / ((n - 1) * (n - 2)) - 2.0 * cross / (n - 2)) / (n * (n - 3))


def gram_parts(k: np.ndarray) -> Parts:
    """What the HSIC estimator needs of a Gram matrix (samples by samples)."""
    return _centered_parts(k)


def cka_of(k: Parts, g: Parts) -> float:
    """Unbiased linear CKA of two representations given by :func:`gram_parts`."""
    kk, gg = _hsic(k, k), _hsic(g, g)
    if kk <= 0.0 or gg <= 0.0:
        return 0.0
    return _hsic(k, g) / math.sqrt(kk * gg)


def unbiased_cka(
    x: np.ndarray, y: np.ndarray, perms: list[np.ndarray]
) -> tuple[float, list[float]]:
    """CKA of two representations of the same samples (rows), and its value under each
    permutation of ``y``'s samples in ``perms`` (the pairing of samples lost)."""
    k, g = gram_parts(x @ x.T), gram_parts(y @ y.T)
    observed = cka_of(k, g)
    lt, lrow, lsum = g
    return observed, [cka_of(k, (lt[np.ix_(p, p)], lrow[p], lsum)) for p in perms]


def ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties given their average rank."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    average = ends - (counts - 1) / 2.0
    return np.asarray(average[inverse], dtype=np.float64)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = ranks(a), ranks(b)
    ra -= ra.mean()
    rb -= rb.mean()
    denom = math.sqrt(float(ra @ ra) * float(rb @ rb))
    return float(ra @ rb) / denom if denom > 0 else 0.0


def log_normal_sf(z: float) -> float:
    """ln P(Z > z) for a standard normal Z, accurate far into the tail."""
    if z < 30.0:
        return math.log(max(0.5 * math.erfc(z / math.sqrt(2.0)), 1e-300))
    return -0.5 * z * z - math.log(z) - 0.5 * math.log(2.0 * math.pi) + math.log1p(-1.0 / (z * z))


def fisher_log_p(log_ps: list[float]) -> float:
    """ln of Fisher's combined p-value: X = -2 sum ln p_i ~ chi-squared with 2k degrees."""
    k = len(log_ps)
    if k == 0:
        return 0.0
    half_x = -sum(log_ps)  # X / 2
    if half_x <= 0.0:
        return 0.0
    terms = [i * math.log(half_x) - math.lgamma(i + 1) for i in range(k)]
    top = max(terms)
    return min(0.0, -half_x + top + math.log(sum(math.exp(t - top) for t in terms)))
