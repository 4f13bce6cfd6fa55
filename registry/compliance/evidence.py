"""Evidence in a checkpoint directory: the texts of its ``NOTICE*`` and ``LICENSE*`` files.

Read from the variant's ``source_uri`` when it is a local directory that exists. The texts
are also recorded at registration, in the ``details`` of those files (``evidence_text``):
that stored copy is what counts where the directory is not at hand, and always on the team
server, which never reads its own file system on a client's word. A variant with neither
has no file evidence (only attestations count then). File names match
case-insensitively (``NOTICE``, ``Notice.txt``, ``LICENSE.md``, ``LICENCE``); only the top
level of the directory is read, and at most 1 MiB of each file.
"""

from __future__ import annotations

from pathlib import Path

from registry.compliance.model import Evidence
from registry.errors import CheckpointError

MAX_BYTES = 1 << 20


def local_dir(source_uri: str | None) -> Path | None:
    if not source_uri:
        return None
    raw = source_uri[len("file://") :] if source_uri.startswith("file://") else source_uri
    if "://" in raw:
        return None
    path = Path(raw).expanduser()
    return path if path.is_dir() else None


def _collapse(text: str) -> str:
    return " ".join(text.split())


EVIDENCE_KEY = "evidence_text"


def kind_of(name: str) -> str | None:
    """``notice``, ``license`` or None for a top-level file name."""
    lower = name.lower()
    if "/" in name:
        return None
    if lower.startswith("notice"):
        return "notice"
    if lower.startswith(("license", "licence")):
        return "license"
    return None


def stored_evidence(files: list[tuple[str, dict[str, object]]]) -> Evidence:
    """Evidence from the recorded ``(path, details)`` of a variant's files."""
    notices: list[tuple[str, str]] = []
    licenses: list[tuple[str, str]] = []
    for path, details in sorted(files):
        text = details.get(EVIDENCE_KEY)
        kind = kind_of(path)
        if kind is None or not isinstance(text, str):
            continue
        (notices if kind == "notice" else licenses).append((path, text))
    return Evidence(tuple(notices), tuple(licenses))


def read_evidence(source_uri: str | None) -> Evidence:
    root = local_dir(source_uri)
    if root is None:
        return Evidence()
    notices: list[tuple[str, str]] = []
    licenses: list[tuple[str, str]] = []
    try:
        entries = sorted(root.iterdir())
    except OSError as exc:
        raise CheckpointError(str(root), exc.strerror or "cannot list directory") from None
    for entry in entries:
        kind = kind_of(entry.name)
        if kind is None:
            continue
        target = notices if kind == "notice" else licenses
        if not entry.is_file():
            continue
        try:
            with entry.open("rb") as fh:
                data = fh.read(MAX_BYTES)
        except OSError as exc:
            raise CheckpointError(str(entry), exc.strerror or "unreadable") from None
        target.append((entry.name, _collapse(data.decode("utf-8", errors="replace"))))
    return Evidence(tuple(notices), tuple(licenses))
