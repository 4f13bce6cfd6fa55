"""Provenance records: exact half-precision digests, weight profiles, comparison results.

``tensor_half_digests``: for a float32 tensor of at least a million elements whose values
are exactly representable in bfloat16 or float16, the XXH3-128 digest of each such
half-precision form, so an upcast copy of a half-precision tensor is found by digest.
``provenance_profiles``: what a comparison needs to know about a variant before reading any
weight (hidden size, depth, vocabulary size, a sketch of the vocabulary). ``provenance_results``:
one row per compared pair, the latest result replacing the earlier one. The index on
``tensors.digest`` makes the exact-reuse lookup one index probe per tensor.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.db.base import Base, json_dict, json_list, utc_timestamp
from registry.db.models.tensors import TensorRecord

VERDICTS = ("derived", "inconclusive", "independent", "not-comparable")
_VERDICT_SQL = "verdict IN (" + ", ".join(f"'{v}'" for v in VERDICTS) + ")"

# Declared here, not in tensors.py: the exact-reuse lookup is provenance's concern.
Index("ix_tensors_digest", TensorRecord.digest)


class TensorHalfDigest(Base):
    """The digest of the exact bfloat16 / float16 form of a losslessly downcastable tensor."""

    __tablename__ = "tensor_half_digests"
    __table_args__ = (Index("ix_tensor_half_digests_digest", "digest"),)

    tensor_id: Mapped[int] = mapped_column(
        ForeignKey("tensors.id", ondelete="CASCADE"), primary_key=True
    )
    dtype: Mapped[str] = mapped_column(String(16), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))


class ProvenanceProfile(Base):
    """Shape and vocabulary of a variant's weights, read from headers and the tokenizer."""

    __tablename__ = "provenance_profiles"
    __table_args__ = (Index("ix_provenance_profiles_hidden", "hidden_size"),)

    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True
    )
    hidden_size: Mapped[int] = mapped_column(Integer)
    layers: Mapped[int] = mapped_column(Integer)
    vocab_size: Mapped[int] = mapped_column(Integer)
    # bottom-k hashes of the token strings: an estimate of vocabulary overlap without files
    vocab_sketch: Mapped[json_list]


class ProvenanceResult(Base):
    """The latest comparison of a variant's weights with another variant's."""

    __tablename__ = "provenance_results"
    __table_args__ = (
        CheckConstraint(_VERDICT_SQL, name="verdict"),
        CheckConstraint("variant_id <> other_id", name="not_self"),
        Index("ix_provenance_results_other", "other_id"),
    )

    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True
    )
    other_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True
    )
    verdict: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(32))
    statistic: Mapped[float | None] = mapped_column(Float)
    # every method that ran: statistic, null (size, maximum), tensors used, seconds
    evidence: Mapped[json_dict]
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[utc_timestamp]
