"""Trained fixtures for provenance: trained once, cached between runs (see ``trained.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.provenance import transforms as T


@pytest.fixture(scope="session")
def trained_states(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, T.State]:
    """Under the pytest cache (kept between runs); without it (``-p no:cacheprovider``) in
    this session's temporary directory, trained afresh."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tests.provenance.trained import trained_states as load

    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return load(Path(cache.mkdir("provenance-fixtures")))
    return load(tmp_path_factory.getbasetemp() / "provenance-fixtures")


@pytest.fixture(scope="session")
def trained_dirs(
    trained_states: dict[str, T.State], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Checkpoint directories: the two seeds and every derived child of seed A."""
    from tests.provenance.trained import write_fixture_dirs

    return write_fixture_dirs(trained_states, tmp_path_factory.mktemp("trained"))
