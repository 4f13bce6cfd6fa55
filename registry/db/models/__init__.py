"""Every ORM model of the catalog; importing this package registers them all on Base."""

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
    "FileInfo",
    "LineageEdge",
    "TensorRecord",
    "UnresolvedParent",
    "Variant",
    "VariantFile",
]
