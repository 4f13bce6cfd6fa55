"""Provenance from the weights: was this checkpoint made from a registered one?

Declared lineage is what a registrant says; this package checks it against the weights,
without torch and without forward passes (numpy only, reading the safetensors headers that
``registry.checkpoints`` validated and only the tensors a test samples, by offset).

- Tier 1, exact reuse (:mod:`.exact`): a non-trivial tensor whose digest another variant
  has, also through an exact half-precision -> float32 upcast (:mod:`.half_digests`).
- Tier 2, aligned cosine (:mod:`.compare`): a rotation fitted on shared-token embedding
  rows and layers paired (:mod:`.pairing`), then cosines of attention and MLP weights
  through the rotation.
- Tier 3, robust statistics (:mod:`.robust`): unbiased CKA as a z-score against unpaired
  layers, and Zhu et al.'s matched-unit rank correlation, Fisher-combined and
  Bonferroni-corrected.

Weights are read by :mod:`.weights` (safetensors, int8, GGUF; names in :mod:`.names`,
token strings in :mod:`.vocab`).

:func:`registry.provenance.service.run_provenance` runs them for one variant and stores
the results, which ``tree`` shows (:mod:`.related`) and the ``undeclared-lineage``
compliance rule judges. Importing this package imports nothing else, so the read paths
that only need :mod:`.related` stay light.
"""
