"""Normalising license identifiers from the command line and from model cards.

The compliance policies (``policies/*.toml``) are the authority on what each id means; this
module only maps the spellings that registration meets onto those ids.
"""

from __future__ import annotations

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


def normalise(raw: str | None) -> str | None:
    """Map a spelling to a known id, or None if it is not one."""
    if raw is None:
        return None
    key = raw.strip().lower()
    key = ALIASES.get(key, key)
    return key if key in KNOWN_LICENSE_IDS else None


def license_from_card(license: str | None, license_name: str | None) -> tuple[str, str | None]:
    """(license id, raw name) from a model card; ``other`` + ``license_name`` is mapped."""
    if not license:
        return "unknown", license_name
    lic = normalise(license)
    if lic == "other" and license_name:
        mapped = normalise(license_name)
        if mapped is not None:
            return mapped, license_name
        return "other", license_name
    if lic is None:
        return "other", license
    return lic, license_name


def license_from_option(raw: str, extra_ids: tuple[str, ...] = ()) -> str:
    """Validate a ``--license`` value: a known id (or an id of a site policy)."""
    lic = normalise(raw)
    if lic is not None:
        return lic
    if raw.strip().lower() in extra_ids:
        return raw.strip().lower()
    raise InvalidInputError(
        f"unknown license {raw!r}; known: {', '.join(KNOWN_LICENSE_IDS + extra_ids)}"
    )
