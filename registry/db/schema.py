"""The Alembic revision this code expects, so that commands can check it without alembic.

A test asserts that this equals the head of ``migrations/versions``.
"""

HEAD_REVISION = "0004_smoke_runs"
