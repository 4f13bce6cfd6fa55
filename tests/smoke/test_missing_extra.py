"""Without the smoke extra, ``modelreg smoke`` says how to install it (exit 4)."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import Cli


@pytest.mark.parametrize("module", ["torch", "transformers"])
def test_missing_extra_says_how_to_install(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError
    res = cli("smoke", "--all")
    assert res.exit_code == 4
    assert res.stdout == ""
    assert "error: modelreg smoke needs torch and transformers, which are not installed" in (
        res.stderr
    )
    assert "hint: install the smoke extra: pip install 'modelreg[smoke]'" in res.stderr
    assert "Traceback" not in res.stderr


def test_missing_peft_fails_only_adapters(monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.errors import MissingDependencyError
    from registry.smoke.deps import require_peft

    monkeypatch.setitem(sys.modules, "peft", None)
    with pytest.raises(MissingDependencyError, match="needs peft") as info:
        require_peft()
    assert info.value.exit_code == 4
