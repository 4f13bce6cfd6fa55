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
from registry.db.models.releases import RELEASE_STATUSES, Release
from registry.db.models.sessions import WebSession
from registry.db.models.signatures import SIGNATURE_METHODS, SignatureRecord
from registry.db.models.smoke import RUN_STATUSES, SmokeRun
from registry.db.models.tensors import FileInfo, TensorRecord
from registry.db.models.variants import (
    RELATIONS,
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
    "Grant",
    "IdempotencyKey",
    "LineageEdge",
    "MonthlyActiveUsers",
    "Organisation",
    "RoleGrant",
    "SignatureRecord",
    "SmokeRun",
    "FileInfo",
    "TensorRecord",
    "UnresolvedParent",
    "User",
    "Variant",
    "VariantFile",
    "Verification",
]
