"""Evidence in a checkpoint directory: notice files, license files and the model card.

Read from the variant's ``source_uri`` when it is a local directory that exists. The texts
are also recorded at registration, as written, in the ``details`` of those files
(``evidence_text``): that stored copy is what counts where the directory is not at hand, and
always on the team server, which never reads its own file system on a client's word. A
variant with neither has no file evidence (only attestations count then). Only the top level
of the directory is read, at most :data:`MAX_BYTES` of each file, regular files only (a
FIFO or device is never opened); a file holding NUL bytes is not text and is skipped.

- notice files: a name starting with ``NOTICE`` (any case), kept in the
  :func:`~registry.compliance.license_text.typography` form;
- license texts: a name containing ``license``, ``licence``, ``copying``, ``agreement`` or
  ``terms`` (any case, any extension: ``LICENSE``, ``LLAMA3_LICENSE.txt``,
  ``WEIGHT_DIFF_LICENSE``, ``COPYING``, ``TERMS_OF_USE.md``), and the model card
  ``README.md`` (a card may embed the agreement or link the license), kept in the
  :func:`~registry.compliance.license_text.words` form.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from registry.compliance.license_text import typography, words
from registry.compliance.model import Evidence
from registry.errors import CheckpointError

MAX_BYTES = 1 << 20
LICENSE_NAME_PARTS = ("license", "licence", "copying", "agreement", "terms")
MODEL_CARD = "readme.md"
EVIDENCE_KEY = "evidence_text"


def local_dir(source_uri: str | None) -> Path | None:
    if not source_uri:
        return None
    raw = source_uri[len("file://") :] if source_uri.startswith("file://") else source_uri
    if "://" in raw:
        return None
    path = Path(raw).expanduser()
    return path if path.is_dir() else None


def is_notice_name(name: str) -> bool:
    return name.casefold().startswith("notice")


def is_license_name(name: str) -> bool:
    lower = name.casefold()
    return lower == MODEL_CARD or any(part in lower for part in LICENSE_NAME_PARTS)


def _decode(data: bytes) -> str | None:
    """The text of a file's first bytes, or None when they are not text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if b"\0" in data:
        return None
    return data.decode("utf-8-sig", errors="replace")


def _read_text(entry: Path) -> str | None:
    try:
        with entry.open("rb") as fh:
            data = fh.read(MAX_BYTES)
    except OSError as exc:
        raise CheckpointError(str(entry), exc.strerror or "unreadable") from None
    return _decode(data)


def _text_files(source_uri: str | None) -> list[tuple[str, str]]:
    """(name, text as written) of the top-level evidence files of a local directory."""
    root = local_dir(source_uri)
    if root is None:
        return []
    try:
        entries = sorted(root.iterdir())
    except OSError as exc:
        raise CheckpointError(str(root), exc.strerror or "cannot list directory") from None
    found = []
    for entry in entries:
        if not (is_notice_name(entry.name) or is_license_name(entry.name)):
            continue
        if not entry.is_file():
            continue
        text = _read_text(entry)
        if text is not None:
            found.append((entry.name, text))
    return found


def evidence_of(files: list[tuple[str, str]]) -> Evidence:
    """Evidence from ``(top-level file name, text as written)`` pairs, normalised for the
    rules: notices in the typography form, license texts and the card as words."""
    notices = tuple((n, typography(t)) for n, t in files if is_notice_name(n))
    licenses = tuple((n, words(t)) for n, t in files if is_license_name(n))
    return Evidence(notices, licenses)


def read_evidence(source_uri: str | None) -> Evidence:
    return evidence_of(_text_files(source_uri))


def evidence_texts(root: Path) -> dict[str, str]:
    """name → text as written of a checkpoint's evidence files (recorded at registration)."""
    return dict(_text_files(str(root)))


def stored_evidence(files: list[tuple[str, dict[str, object]]]) -> Evidence:
    """Evidence from the recorded ``(path, details)`` of a variant's files."""
    return evidence_of(
        [
            (path, text)
            for path, details in sorted(files)
            if "/" not in path and isinstance(text := details.get(EVIDENCE_KEY), str)
        ]
    )


def license_files(source_uri: str | None) -> tuple[tuple[str, str], ...]:
    """(name, text as written) of the license files, the model card left out: what a bill
    of materials can carry as a license's text."""
    return tuple(
        (name, text)
        for name, text in _text_files(source_uri)
        if is_license_name(name) and name.casefold() != MODEL_CARD
    )
