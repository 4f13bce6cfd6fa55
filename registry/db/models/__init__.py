"""Every ORM model of the catalog; importing this package registers them all on Base."""

from registry.db.models.compliance import (
    CheckRecord,
    Deployment,
    Grant,
    MonthlyActiveUsers,
    Organisation,
)
from registry.db.models.smoke import RUN_STATUSES, SmokeRun
from registry.db.models.tensors import FileInfo, TensorRecord
from registry.db.models.variants import (
    LineageEdge,
    UnresolvedParent,
    Variant,
    VariantFile,
)
from registry.db.models.verification import VERIFY_STATUSES, FileChunks, VerifyResult
from registry.relations import RELATIONS

__all__ = [
    "RELATIONS",
    "RUN_STATUSES",
    "VERIFY_STATUSES",
    "CheckRecord",
    "Deployment",
    "FileChunks",
    "Grant",
    "LineageEdge",
    "MonthlyActiveUsers",
    "Organisation",
    "SmokeRun",
    "FileInfo",
    "TensorRecord",
    "UnresolvedParent",
    "Variant",
    "VariantFile",
    "VerifyResult",
]
