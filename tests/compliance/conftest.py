"""Builders for compliance tests: lineages, organisations and evidence in a real catalog."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from registry.db.engine import Catalog

SAMPLES = Path(__file__).parent / "samples"
EXAMPLES = Path(__file__).parents[2] / "examples"

NOTICE = {
    "llama2": "Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta "
    "Platforms, Inc. All Rights Reserved.",
    "llama3": "Meta Llama 3 is licensed under the Meta Llama 3 Community License, Copyright © "
    "Meta Platforms, Inc. All Rights Reserved.",
    "llama3.1": "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta "
    "Platforms, Inc. All Rights Reserved.",
}


class Zoo:
    """Registers variants with lineage, organisations, MAU and grants in one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def variant(
        self,
        name: str,
        license_id: str = "unknown",
        *,
        parents: Sequence[tuple[str, str]] = (),
        modalities: Sequence[str] = ("text",),
        source_uri: str | None = None,
        license_name: str | None = None,
        unresolved: Sequence[tuple[str, str]] = (),
    ) -> None:
        from tests.builders import insert_variants

        insert_variants(
            self.catalog.url,
            {
                "name": name,
                "license_id": license_id,
                "license_name": license_name,
                "parents": parents,
                "unresolved_parents": unresolved,
                "modalities": modalities,
                "source_uri": source_uri,
            },
        )

    def org(
        self,
        name: str,
        country: str | None = "US",
        parent: str | None = None,
        mau: dict[str, int] | None = None,
        grants: dict[str, str] | None = None,
    ) -> None:
        from registry.catalog.orgs import add_grant, add_org, set_mau

        with self.catalog.session(write=True) as s:
            add_org(s, name, country=country, parent=parent)
            for month, users in (mau or {}).items():
                set_mau(s, name, month, users)
            for lic, ref in (grants or {}).items():
                add_grant(s, name, lic, ref)


@pytest.fixture
def zoo(catalog: Catalog) -> Zoo:
    return Zoo(catalog)


def findings(doc: Any, rule: str | None = None, license: str | None = None) -> list[dict[str, Any]]:
    return [
        f
        for f in doc["findings"]
        if (rule is None or f["rule"] == rule) and (license is None or f["license"] == license)
    ]


def one(doc: Any, rule: str, license: str) -> dict[str, Any]:
    found = findings(doc, rule, license)
    assert len(found) == 1, (rule, license, doc["findings"])
    return found[0]


def checkpoint_dir(tmp_path: Path, name: str, files: dict[str, str]) -> str:
    root = tmp_path / name
    root.mkdir(parents=True)
    (root / "model.safetensors").write_bytes(b"\0" * 16)
    for fname, text in files.items():
        (root / fname).write_text(text, encoding="utf-8")
    return str(root)


def sample(name: str) -> str:
    """A license text as published (``tests/compliance/samples``; the Llama 2 agreement is
    the copy the quick start ships, ``examples/llama-2-LICENSE.txt``)."""
    path = EXAMPLES / name if name == "llama-2-LICENSE.txt" else SAMPLES / name
    return path.read_text(encoding="utf-8")
