"""Choosing the store a command runs on, from the resolved settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry.config import Settings
    from registry.store.interface import Store


def open_store(settings: Settings) -> Store:
    """The team server in remote mode, else the catalog database named by the settings
    (connections opened on first use)."""
    if settings.remote:
        from registry.errors import UsageError
        from registry.store.remote import RemoteStore

        if settings.policy_dirs.source == "--policies":
            raise UsageError(
                "--policies does not apply in remote mode: the team server's policies decide"
            )
        return RemoteStore(str(settings.server_url.value), settings.token.value)
    from registry.store.connections import SettingsConnections
    from registry.store.local import LocalStore

    return LocalStore(SettingsConnections(settings))
