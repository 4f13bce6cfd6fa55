"""The Alembic revision this code expects, checked at start-up without importing alembic.

A test asserts that this equals the head of ``migrations/versions``.
"""

from registry.errors import SchemaOutOfDateError

HEAD_REVISION = "0010_oidc_sessions"


def out_of_date(where: str, revision: str | None, expected: str) -> SchemaOutOfDateError:
    """The error for a catalog (``where``, password masked) not at the ``expected`` revision."""
    if revision is None:
        return SchemaOutOfDateError(
            f"catalog {where} has no modelreg schema: run `modelreg db upgrade` first"
        )
    return SchemaOutOfDateError(
        f"catalog {where} is at schema revision {revision}, this modelreg needs "
        f"{expected}: run `modelreg db upgrade`"
    )
