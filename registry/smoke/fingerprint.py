"""The fingerprint of a run's first-step logits: stable across runs of the same bytes.

Definition (version ``v1``): take the logits of the last prompt position (the first
generation step) as float64; convert them to log-probabilities (``x - logsumexp(x)``, so
a constant shift of all logits does not change the fingerprint); order the vocabulary by
descending log-probability, ties broken by the smaller token id; keep the first
``TOP_K`` (8) ids; the fingerprint is the SHA-256 hex digest of the UTF-8 text

    v1|<id>,<id>,...|<lp>,<lp>,...

where each ``<lp>`` is the log-probability rounded to ``DECIMALS`` (2) decimals and written
with ``%.2f`` (``-0.00`` is written ``0.00``). Identical bytes on the same device and dtype
give the same fingerprint; a different device or kernel may move a value across a rounding
boundary, which is why drift is judged on the generated tokens and not on this value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

VERSION = "v1"
TOP_K = 8
DECIMALS = 2


def logits_fingerprint(logits: Sequence[float] | np.ndarray) -> str:
    """SHA-256 of the top-k ids and rounded log-probabilities of one logits vector."""
    values = np.asarray(logits, dtype=np.float64).reshape(-1)
    if values.size == 0:
        raise ValueError("empty logits")
    if not np.isfinite(values).all():
        raise ValueError("logits are not finite")
    peak = values.max()
    log_total = peak + np.log(np.exp(values - peak).sum())
    ids = np.arange(values.size)
    order = np.lexsort((ids, -values))[:TOP_K]
    lps = []
    for i in order:
        text = f"{values[i] - log_total:.{DECIMALS}f}"
        lps.append("0.00" if text == "-0.00" else text)
    payload = f"{VERSION}|{','.join(str(int(i)) for i in order)}|{','.join(lps)}"
    return hashlib.sha256(payload.encode()).hexdigest()
