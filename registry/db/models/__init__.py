"""Every ORM model of the catalog; importing this package registers them all on Base."""

from registry.db.models.compliance import (
    CheckRecord,
    Deployment,
    Grant,
    MonthlyActiveUsers,
    Organisation,
)
from registry.db.models.provenance import ProvenanceProfile, ProvenanceResult, TensorHalfDigest
from registry.db.models.smoke import RUN_STATUSES, SmokeRun
from registry.db.models.tensors import FileInfo, TensorRecord
from registry.db.models.variants import (
    RELATIONS,
    LineageEdge,
    UnresolvedParent,
    Variant,
    VariantFile,
)

__all__ = [
    "RELATIONS",
    "RUN_STATUSES",
    "CheckRecord",
    "Deployment",
    "Grant",
    "LineageEdge",
    "MonthlyActiveUsers",
    "Organisation",
    "ProvenanceProfile",
    "ProvenanceResult",
    "SmokeRun",
    "FileInfo",
    "TensorHalfDigest",
    "TensorRecord",
    "UnresolvedParent",
    "Variant",
    "VariantFile",
]
