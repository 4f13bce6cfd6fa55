"""Where a registered variant came from on the Hub, read from its ``source_uri``.

Two shapes say so: ``hf:ORG/NAME@COMMIT`` (registered from the Hub's API) and a local path
inside a Hugging Face cache, ``.../models--ORG--NAME/snapshots/COMMIT`` (registered by
``modelreg scan`` or ``modelreg add`` of a cache snapshot).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CACHE_PATH = re.compile(
    r"(?:^|[/\\])models--(?P<repo>[^/\\]+)[/\\]snapshots[/\\](?P<rev>[0-9a-f]{40})(?:[/\\]|$)"
)


@dataclass(frozen=True)
class HubOrigin:
    repo_id: str
    revision: str | None


def hub_uri(repo_id: str, revision: str) -> str:
    return f"hf:{repo_id}@{revision}"


def hub_origin(source_uri: str | None) -> HubOrigin | None:
    """The Hub repository and commit a source URI points at, or None."""
    if not source_uri:
        return None
    if source_uri.startswith("hf:"):
        repo_id, _, revision = source_uri[3:].partition("@")
        return HubOrigin(repo_id, revision or None) if repo_id else None
    m = _CACHE_PATH.search(source_uri)
    if m is None:
        return None
    return HubOrigin(m.group("repo").replace("--", "/"), m.group("rev"))


def cache_folder_name(repo_id: str) -> str:
    """``models--ORG--NAME``: the cache folder ``huggingface_hub`` uses for a model repo."""
    return "models--" + repo_id.replace("/", "--")
