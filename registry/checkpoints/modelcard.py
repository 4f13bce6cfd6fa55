"""Read the YAML front matter of a Hugging Face model card (README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from registry.checkpoints.manifest import ModelCard
from registry.errors import CheckpointError

MAX_CARD_BYTES = 4 * 1024 * 1024


def parse_model_card(text: str, *, where: str = "README.md") -> ModelCard | None:
    """The card's front matter, or None when the text has none."""
    if not text.startswith("---"):
        return None
    lines = text.splitlines()
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise CheckpointError(where, "front matter is not closed by '---'") from None
    try:
        data: Any = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        raise CheckpointError(where, f"front matter is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise CheckpointError(where, "front matter is not a mapping")
    return card_from_mapping(data)


def _strings(value: Any) -> tuple[str, ...]:
    """A front-matter value that may be one item or a list, as stripped non-empty strings."""
    items = value if isinstance(value, list) else [value]
    out = (str(v).strip() for v in items if v is not None and not isinstance(v, (dict, list)))
    return tuple(v for v in out if v)


def card_from_mapping(data: dict[str, Any]) -> ModelCard:
    """The fields modelreg uses; ``license`` and ``base_model`` may each be a list."""
    names = _strings(data.get("license_name"))
    relation = data.get("base_model_relation")
    return ModelCard(
        licenses=tuple(lic.lower() for lic in _strings(data.get("license"))),
        license_name=", ".join(names) if names else None,
        base_models=_strings(data.get("base_model")),
        base_model_relation=str(relation).strip().lower() if relation else None,
    )


def read_model_card(root: Path) -> ModelCard | None:
    path = root / "README.md"
    if not path.is_file():
        return None
    if path.stat().st_size > MAX_CARD_BYTES:
        raise CheckpointError("README.md", "larger than 4 MiB")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise CheckpointError("README.md", "not valid UTF-8") from None
    return parse_model_card(text)
