"""Progress reporting from the library to whoever calls it, without the library printing.

The CLI passes an object with this shape (a rich progress bar on a terminal); the library
only calls its methods. ``NullProgress`` is the default.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, description: str, total: int | None) -> None: ...

    def advance(self, amount: int) -> None: ...

    def finish(self) -> None: ...

    def warn(self, message: str) -> None: ...


class NullProgress:
    """A progress sink that ignores everything (the library's default)."""

    def start(self, description: str, total: int | None) -> None:
        return None

    def advance(self, amount: int) -> None:
        return None

    def finish(self) -> None:
        return None

    def warn(self, message: str) -> None:
        return None


NULL_PROGRESS = NullProgress()


class CollectingProgress(NullProgress):
    """Keeps the warnings (the server sends them back with its answer)."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def warn(self, message: str) -> None:
        self.messages.append(message)
