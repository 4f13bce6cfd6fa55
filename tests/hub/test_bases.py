"""Finding a card's base model among registered variants by name or Hub origin."""

from __future__ import annotations

from typing import Any

from registry.catalog.bases import resolve_base
from registry.catalog.variants import create_variant

SHA = "c" * 40


def test_hub_and_cache_origins_match_exactly(catalog: Any) -> None:
    with catalog.session(write=True) as s:
        create_variant(s, name="from-hub", source_uri=f"hf:acme/my_base@{SHA}")
        create_variant(
            s,
            name="from-cache",
            source_uri=f"/c/hub/models--acme--other_50%/snapshots/{SHA}",
        )
        create_variant(s, name="acme/plain")
    with catalog.session() as s:
        assert resolve_base(s, "acme/my_base").variant.name == "from-hub"  # type: ignore[union-attr]
        assert resolve_base(s, "acme/myXbase").variant is None  # "_" is no wildcard
        assert resolve_base(s, "acme/my").variant is None
        found = resolve_base(s, "acme/other_50%").variant
        assert found is not None and found.name == "from-cache"
        assert resolve_base(s, "acme/otherX50").variant is None
        assert resolve_base(s, "acme/plain").variant.name == "acme/plain"  # type: ignore[union-attr]


def test_two_revisions_are_ambiguous(catalog: Any) -> None:
    with catalog.session(write=True) as s:
        create_variant(s, name="r1", source_uri=f"hf:acme/base@{SHA}")
        create_variant(s, name="r2", source_uri=f"hf:acme/base@{'d' * 40}")
    with catalog.session() as s:
        match = resolve_base(s, "acme/base")
    assert match.variant is None and match.ambiguous and match.candidates == ("r1", "r2")
