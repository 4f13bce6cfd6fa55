"""The console script answers ``list`` and ``show`` without typer, exactly as typer would."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.cli.entry import fast_read
from tests.builders import write_checkpoint
from tests.conftest import Cli


@pytest.fixture
def two_variants(cli: Cli, tmp_path: Path) -> Cli:
    assert cli("add", write_checkpoint(tmp_path / "a"), "--name", "a").exit_code == 0
    assert cli("add", write_checkpoint(tmp_path / "b", seed=1), "-n", "b", "-p", "a").exit_code == 0
    return cli


@pytest.mark.parametrize(
    "args",
    [("list",), ("list", "--format", "json"), ("show", "b"), ("show", "b", "-f", "json")],
)
def test_fast_path_prints_what_typer_prints(
    two_variants: Cli, db_url: str, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    expected = two_variants(*args)
    assert expected.exit_code == 0
    assert fast_read(["--db", db_url, *args]) == 0
    out = capsys.readouterr()
    assert out.out == expected.stdout
    assert out.err == ""


def test_fast_path_errors_match_typer(
    two_variants: Cli, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = two_variants("show", "ghost")
    assert fast_read(["--db", db_url, "show", "ghost"]) == expected.exit_code == 2
    assert capsys.readouterr().err == expected.stderr


def test_unusual_arguments_fall_back_to_typer(db_url: str) -> None:
    for argv in (
        ["--db", db_url, "list", "--help"],
        ["--db", db_url, "list", "--format", "yaml"],
        ["--db", db_url, "show"],
        ["--db", db_url, "show", "a", "b"],
        ["--db", db_url, "tree", "a"],
        ["--version"],
    ):
        assert fast_read(argv) is None, argv


def test_empty_catalog_message(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert fast_read(["--db", db_url, "list"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "catalog is empty" in captured.err
