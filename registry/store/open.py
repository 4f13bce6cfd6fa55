"""Choosing the store a command runs on, from the resolved settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry.config import Settings
    from registry.store.interface import Store


def open_store(settings: Settings) -> Store:
    """The catalog database named by the settings (connections opened on first use)."""
    from registry.store.connections import SettingsConnections
    from registry.store.local import LocalStore

    return LocalStore(SettingsConnections(settings))
