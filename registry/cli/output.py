"""Where output goes: data on stdout, messages and progress on stderr (rich, NO_COLOR aware)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rich is imported lazily: it costs ~0.1 s of start-up
    from rich.console import Console
    from rich.progress import Progress


def stdout_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stdout, no_color=bool(os.environ.get("NO_COLOR")), soft_wrap=False)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stderr, no_color=bool(os.environ.get("NO_COLOR")), soft_wrap=True)


def emit(text: str) -> None:
    """Print a rendered document (JSON, SARIF, a table) on stdout."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """A message for the human, on stderr."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


class RichProgress:
    """A progress bar on stderr, shown only when stderr is a terminal; subclasses pick columns."""

    def __init__(self) -> None:
        self._enabled = sys.stderr.isatty()
        self._progress: Progress | None = None
        self._task: Any = None

    def _columns(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def start(self, description: str, total: int | None) -> None:
        if not self._enabled:
            return
        from rich.progress import Progress

        self._progress = Progress(*self._columns(), console=stderr_console(), transient=True)
        self._progress.start()
        self._task = self._progress.add_task(description, total=total)

    def advance(self, amount: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, amount)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def line(self, text: str) -> None:
        """A message above the bar while it runs, else a plain line on stderr."""
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False)
        else:
            say(text)

    def warn(self, message: str) -> None:
        self.line(f"warning: {message}")


class RichByteProgress(RichProgress):
    """Bytes, bytes/s and time left: for hashing."""

    def _columns(self) -> tuple[Any, ...]:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        return (
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
        )
