"""Normalising license identifiers from the command line and from model cards.

The compliance policies (``policies/*.toml``) are the authority on what each id means; this
module only maps the spellings that registration meets onto those ids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from registry.errors import InvalidInputError

KNOWN_LICENSE_IDS = (
    "llama1",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "llama4",
    "cc-by-nc-4.0",
    "apache-2.0",
    "mit",
    "bsd-3-clause",
    "cc-by-4.0",
    "other",
    "unknown",
)

ALIASES = {
    "llama": "llama1",
    "llama-1": "llama1",
    "llama-2": "llama2",
    "llama 2": "llama2",
    "llama-3": "llama3",
    "llama-3.1": "llama3.1",
    "llama-3.2": "llama3.2",
    "llama-3.3": "llama3.3",
    "llama-4": "llama4",
    "apache 2.0": "apache-2.0",
    "apache2": "apache-2.0",
}


AND = " AND "
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
MAX_EXPRESSION = 64  # the width of variants.license_id


def split_expression(license_id: str | None) -> tuple[str, ...]:
    """The license ids of a declared expression: ``"llama2 AND mit"`` → ("llama2", "mit").

    A variant whose card lists several licenses records them joined by `` AND `` (SPDX's
    conjunction: every one of them applies).
    """
    if not license_id:
        return ()
    return tuple(p.strip() for p in _AND.split(license_id.strip()) if p.strip())


def join_expression(ids: Sequence[str]) -> str:
    """The expression recorded for ``ids`` (duplicates dropped, order kept)."""
    unique = list(dict.fromkeys(ids))
    expression = AND.join(unique)
    if len(expression) > MAX_EXPRESSION:
        raise InvalidInputError(
            f"{len(unique)} declared licenses ({expression}) exceed the "
            f"{MAX_EXPRESSION} characters a variant's license can hold"
        )
    return expression


def normalise(raw: str | None) -> str | None:
    """Map a spelling to a known id, or None if it is not one."""
    if raw is None:
        return None
    key = raw.strip().lower()
    key = ALIASES.get(key, key)
    return key if key in KNOWN_LICENSE_IDS else None


def license_from_card(declared: Sequence[str], license_name: str | None) -> tuple[str, str | None]:
    """(license id or ``a AND b`` expression, raw name) from a model card's front matter.

    Each listed license is mapped on its own; ``other`` with a ``license_name`` that names a
    known license becomes that license, and so does a ``license_name`` with no ``license``
    key at all. A spelling that maps to nothing is ``other`` and its raw text is kept as
    the name. No license at all is ``unknown``.
    """
    items = [raw.strip() for raw in declared if raw and raw.strip()]
    named = normalise(license_name) if license_name else None
    if not items:
        if license_name:
            return named or "other", license_name
        return "unknown", None
    ids: list[str] = []
    unmapped: list[str] = []
    for raw in items:
        lic = normalise(raw)
        if lic is None:
            unmapped.append(raw)
            lic = "other"
        elif lic == "other" and named is not None:
            lic = named
        ids.append(lic)
    return join_expression(ids), ", ".join(unmapped) if unmapped else license_name


def license_from_option(raw: str, extra_ids: tuple[str, ...] = ()) -> str:
    """Validate a ``--license`` value: a known id (or a site policy's), or ``a AND b``."""
    ids: list[str] = []
    for part in split_expression(raw) or (raw,):
        lic = normalise(part)
        if lic is None and part.strip().lower() in extra_ids:
            lic = part.strip().lower()
        if lic is None:
            raise InvalidInputError(
                f"unknown license {part!r}; known: {', '.join(KNOWN_LICENSE_IDS + extra_ids)}"
            )
        ids.append(lic)
    return join_expression(ids)
