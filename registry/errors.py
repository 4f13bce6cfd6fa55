"""The one exception tree of modelreg; every class carries the exit code the CLI returns.

Exit codes (DESIGN.md): 0 success; 1 a finding (non-compliant, hash mismatch, smoke
failure); 2 usage error; 3 needs review; 4 operational error.

    ModelregError (4)
    ├── UsageError (2)               bad arguments or input the user can correct
    │   ├── NotFoundError            an unknown variant, organisation, policy, deployment
    │   ├── AlreadyExistsError       a duplicate name
    │   ├── LineageError             a lineage cycle, an unknown relation, a variant with children
    │   ├── InvalidInputError        a value out of range, an unknown purpose slug ...
    │   └── PreconditionFailedError  If-Match names a version that is no longer current
    ├── ReleaseRefusedError (1)      a release cannot be requested on this evidence
    ├── AccessError (4)              who is asking may not do this
    │   ├── AuthenticationError      no token, an unknown, expired or revoked token
    │   ├── PermissionDeniedError    a role is missing (the message names it)
    │   └── RateLimitedError         too many failed authentications from one client
    └── OperationalError (4)         the world is not as it should be
        ├── DatabaseError            unreachable, or its schema is behind head
        ├── CheckpointError          unreadable, malformed or hostile file
        ├── PolicyError              a policy file that does not validate
        ├── HubError                 the Hugging Face Hub answered with an error
        ├── MissingDependencyError   an optional extra is not installed
        ├── SignatureFormatError     a signature bundle, key or certificate that cannot be read
        └── RemoteError              the team server is down, timed out or answered 5xx

Each class also carries ``code``, the machine-readable name the server puts in its error
documents (``{"error": {"code", "message", "exit_code"}}``); the CLI in remote mode turns a
code back into the same class, so a command fails the same way on a server as on a database.

Messages are one line, meant for a human, and never contain a database password or a token.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDING = 1
EXIT_USAGE = 2
EXIT_REVIEW = 3
EXIT_OPERATIONAL = 4


class ModelregError(Exception):
    """Base of every error modelreg raises on purpose."""

    exit_code: int = EXIT_OPERATIONAL
    code: str = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(ModelregError):
    exit_code = EXIT_USAGE
    code = "usage"


class NotFoundError(UsageError):
    code = "not_found"


class AlreadyExistsError(UsageError):
    code = "already_exists"


class LineageError(UsageError):
    code = "lineage"


class InvalidInputError(UsageError):
    code = "invalid_input"


class PreconditionFailedError(UsageError):
    code = "precondition_failed"


class ReleaseRefusedError(ModelregError):
    """The evidence does not allow a release: a non-compliant verdict, no recent ``ok``
    verification, no passing smoke run where one is required."""

    exit_code = EXIT_FINDING
    code = "release_refused"


class AccessError(ModelregError):
    exit_code = EXIT_OPERATIONAL
    code = "access"


class AuthenticationError(AccessError):
    code = "unauthenticated"


class PermissionDeniedError(AccessError):
    code = "permission_denied"


class RateLimitedError(AccessError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int = 60, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class OperationalError(ModelregError):
    exit_code = EXIT_OPERATIONAL
    code = "operational"


class DatabaseError(OperationalError):
    code = "database"


class SchemaOutOfDateError(DatabaseError):
    code = "schema_out_of_date"


class CheckpointError(OperationalError):
    """A checkpoint file that cannot be read or must not be trusted."""

    code = "checkpoint"

    def __init__(self, path: str, defect: str, *, hint: str | None = None) -> None:
        super().__init__(f"{path}: {defect}", hint=hint)
        self.path = path
        self.defect = defect


class PolicyError(OperationalError):
    code = "policy"


class HubError(OperationalError):
    code = "hub"


class MissingDependencyError(OperationalError):
    code = "missing_dependency"


class SignatureFormatError(OperationalError):
    """A signature bundle, key or certificate file that is malformed or cannot be read."""

    code = "signature_format"


class RemoteError(OperationalError):
    code = "remote"


def error_classes() -> dict[str, type[ModelregError]]:
    """Every error class by its ``code`` (the remote client re-raises what the server sent)."""
    out: dict[str, type[ModelregError]] = {}
    todo: list[type[ModelregError]] = [ModelregError]
    while todo:
        cls = todo.pop()
        out.setdefault(cls.code, cls)
        todo.extend(cls.__subclasses__())
    return out
