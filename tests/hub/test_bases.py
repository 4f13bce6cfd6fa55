"""Finding a card's base model among registered variants by name or Hub origin."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from registry.catalog.bases import resolve_base
from registry.compliance.store import RawDB
from tests.builders import insert_variants

SHA = "c" * 40


@contextmanager
def _raw(catalog: Any) -> Iterator[RawDB]:
    db = RawDB(catalog.url)
    try:
        yield db
    finally:
        db.close()


def test_hub_and_cache_origins_match_exactly(catalog: Any) -> None:
    insert_variants(
        catalog.url,
        {"name": "from-hub", "source_uri": f"hf:acme/my_base@{SHA}"},
        {"name": "from-cache", "source_uri": f"/c/hub/models--acme--other_50%/snapshots/{SHA}"},
        {"name": "acme/plain"},
    )
    with _raw(catalog) as s:
        assert resolve_base(s, "acme/my_base").variant.name == "from-hub"  # type: ignore[union-attr]
        assert resolve_base(s, "acme/myXbase").variant is None  # "_" is no wildcard
        assert resolve_base(s, "acme/my").variant is None
        found = resolve_base(s, "acme/other_50%").variant
        assert found is not None and found.name == "from-cache"
        assert resolve_base(s, "acme/otherX50").variant is None
        assert resolve_base(s, "acme/plain").variant.name == "acme/plain"  # type: ignore[union-attr]


def test_two_revisions_are_ambiguous(catalog: Any) -> None:
    insert_variants(
        catalog.url,
        {"name": "r1", "source_uri": f"hf:acme/base@{SHA}"},
        {"name": "r2", "source_uri": f"hf:acme/base@{'d' * 40}"},
    )
    with _raw(catalog) as s:
        match = resolve_base(s, "acme/base")
    assert match.variant is None and match.ambiguous and match.candidates == ("r1", "r2")
