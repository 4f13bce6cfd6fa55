"""The live team server fixtures of tests/server/, for the remote-mode tests."""

from tests.server.conftest import live_server, team

__all__ = ["live_server", "team"]
