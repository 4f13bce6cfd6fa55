"""Registering a Hub model from its metadata alone: ``modelreg add hf:ORG/NAME[@REVISION]``.

One call to the model-info API gives the commit and every file's size with, for LFS files,
the SHA-256 the Hub publishes (git blob id for the others); the model card (README.md) and
``config.json`` are fetched as small text files. No weights are downloaded. The variant
records ``source_uri = hf:ORG/NAME@COMMIT``, so ``modelreg verify NAME --path DIR`` later
proves a local download holds exactly the published bytes.

License, base models and relation follow the same rules as a local checkpoint (see
:mod:`registry.catalog.register`): ``license: other`` with ``license_name: llama3`` maps to
``llama3``; registered bases become parents, the others stay unresolved references.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from registry.catalog import licenses
from registry.catalog.register import ParentSpec, check_modalities, registration
from registry.catalog.validation import check_name
from registry.checkpoints import FileEntry
from registry.checkpoints.manifest import ModelCard
from registry.checkpoints.modelcard import card_from_mapping, parse_model_card
from registry.errors import AlreadyExistsError, CheckpointError
from registry.hub.client import HubClient
from registry.hub.model_info import HubModel, HubRef
from registry.hub.origin import hub_uri
from registry.progress import NULL_PROGRESS, Progress

if TYPE_CHECKING:
    from registry.store.interface import Store


def default_name(model: HubModel) -> str:
    """``ORG/NAME@SHORTREV``, the name ``modelreg scan`` gives the same snapshot."""
    return f"{model.repo_id}@{model.revision[:7]}"


def _card(client: HubClient, model: HubModel) -> ModelCard | None:
    where = f"hf:{model.repo_id}/README.md"
    if model.has_file("README.md"):
        text = client.read_text(model.repo_id, model.revision, "README.md")
        card = parse_model_card(text, where=where) if text is not None else None
        if card is not None:
            return card
    return card_from_mapping(model.card_data) if model.card_data else None


def _config(client: HubClient, model: HubModel) -> dict[str, Any] | None:
    if not model.has_file("config.json"):
        return None
    text = client.read_text(model.repo_id, model.revision, "config.json")
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CheckpointError(f"hf:{model.repo_id}/config.json", f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"hf:{model.repo_id}/config.json", "not a JSON object")
    return data


def fetch(
    ref: HubRef, client: HubClient
) -> tuple[HubModel, ModelCard | None, dict[str, Any] | None]:
    """The model's metadata, parsed card and config (three small requests)."""
    model = client.model_info(ref)
    return model, _card(client, model), _config(client, model)


def add_from_hub(
    store: Store,
    ref: str,
    *,
    name: str | None = None,
    license_id: str | None = None,
    parents: Sequence[ParentSpec] = (),
    modalities: Sequence[str] = (),
    progress: Progress = NULL_PROGRESS,
    client: HubClient | None = None,
) -> dict[str, Any]:
    """Register ``hf:ORG/NAME[@REVISION]`` from the Hub's metadata (all or nothing)."""
    hub_ref = HubRef.parse(ref)
    lic = licenses.license_from_option(license_id) if license_id else None
    mods = check_modalities(modalities) if modalities else None
    if name is not None:
        name = check_name(name)
        if store.variant_exists(name):  # fail fast, before talking to the Hub
            raise AlreadyExistsError(f"a variant named {name!r} is already registered")
    own = client is None
    hub = client or HubClient()
    try:
        model, card, config = fetch(hub_ref, hub)
    finally:
        if own:
            hub.close()
    files = [FileEntry(f.path, f.size, f.sha256, f.git_oid) for f in model.files]
    reg = registration(
        name=name or default_name(model),
        license_id=lic,
        parents=parents,
        modalities=mods,
        card=card,
        config=config,
        files=files,
        source_uri=hub_uri(model.repo_id, model.revision),
    )
    return store.register(reg, progress=progress)
