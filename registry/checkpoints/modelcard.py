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


def card_from_mapping(data: dict[str, Any]) -> ModelCard:
    base = data.get("base_model")
    if isinstance(base, str):
        bases: tuple[str, ...] = (base,)
    elif isinstance(base, list):
        bases = tuple(str(b) for b in base if b)
    else:
        bases = ()
    lic = data.get("license")
    lic_name = data.get("license_name")
    relation = data.get("base_model_relation")
    return ModelCard(
        license=str(lic).strip().lower() if lic else None,
        license_name=str(lic_name).strip() if lic_name else None,
        base_models=bases,
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
