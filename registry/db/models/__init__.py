"""Every ORM model of the catalog; importing this package registers them all on Base."""

from registry.db.models.audit import AuditEvent
from registry.db.models.compliance import (
    CheckRecord,
    Deployment,
    Grant,
    MonthlyActiveUsers,
    Organisation,
)
from registry.db.models.identity import ROLES, ApiToken, IdempotencyKey, RoleGrant, User
from registry.db.models.provenance import ProvenanceProfile, ProvenanceResult, TensorHalfDigest
from registry.db.models.releases import RELEASE_STATUSES, Release
from registry.db.models.sessions import WebSession
from registry.db.models.signatures import SIGNATURE_METHODS, SignatureRecord
from registry.db.models.smoke import RUN_STATUSES, SmokeRun
from registry.db.models.tensors import FileChunks, FileInfo, TensorRecord
from registry.db.models.variants import (
    LineageEdge,
    UnresolvedParent,
    Variant,
    VariantFile,
)
from registry.db.models.verifications import Verification
from registry.db.models.webhooks import (
    DELIVERY_STATUSES,
    RegistryState,
    Webhook,
    WebhookDelivery,
)
from registry.relations import RELATIONS

__all__ = [
    "DELIVERY_STATUSES",
    "RELEASE_STATUSES",
    "RegistryState",
    "Release",
    "WebSession",
    "Webhook",
    "WebhookDelivery",
    "RELATIONS",
    "ROLES",
    "RUN_STATUSES",
    "SIGNATURE_METHODS",
    "ApiToken",
    "AuditEvent",
    "CheckRecord",
    "Deployment",
    "FileChunks",
    "Grant",
    "IdempotencyKey",
    "LineageEdge",
    "MonthlyActiveUsers",
    "Organisation",
    "ProvenanceProfile",
    "ProvenanceResult",
    "RoleGrant",
    "SignatureRecord",
    "SmokeRun",
    "FileInfo",
    "TensorHalfDigest",
    "TensorRecord",
    "UnresolvedParent",
    "User",
    "Variant",
    "VariantFile",
    "Verification",
]
