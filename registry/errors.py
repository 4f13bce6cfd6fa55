"""The one exception tree of modelreg; every class carries the exit code the CLI returns.

Exit codes (DESIGN.md): 0 success; 1 a finding (non-compliant, hash mismatch, smoke
failure); 2 usage error; 3 needs review; 4 operational error.

    ModelregError (4)
    ├── UsageError (2)               bad arguments or input the user can correct
    │   ├── NotFoundError            an unknown variant, organisation, policy, deployment
    │   ├── AlreadyExistsError       a duplicate name
    │   ├── LineageError             a lineage cycle, an unknown relation, a variant with children
    │   └── InvalidInputError        a value out of range, an unknown purpose slug ...
    └── OperationalError (4)         the world is not as it should be
        ├── DatabaseError            unreachable, or its schema is behind head
        ├── CheckpointError          unreadable, malformed or hostile file
        ├── PolicyError              a policy file that does not validate
        ├── HubError                 the Hugging Face Hub answered with an error
        ├── MissingDependencyError   an optional extra is not installed
        └── SignatureFormatError     a signature bundle, key or certificate that cannot be read

Messages are one line, meant for a human, and never contain a database password.
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

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(ModelregError):
    exit_code = EXIT_USAGE


class NotFoundError(UsageError):
    pass


class AlreadyExistsError(UsageError):
    pass


class LineageError(UsageError):
    pass


class InvalidInputError(UsageError):
    pass


class OperationalError(ModelregError):
    exit_code = EXIT_OPERATIONAL


class DatabaseError(OperationalError):
    pass


class SchemaOutOfDateError(DatabaseError):
    pass


class CheckpointError(OperationalError):
    """A checkpoint file that cannot be read or must not be trusted."""

    def __init__(self, path: str, defect: str, *, hint: str | None = None) -> None:
        super().__init__(f"{path}: {defect}", hint=hint)
        self.path = path
        self.defect = defect


class PolicyError(OperationalError):
    pass


class HubError(OperationalError):
    pass


class MissingDependencyError(OperationalError):
    pass


class SignatureFormatError(OperationalError):
    """A signature bundle, key or certificate file that is malformed or cannot be read."""
