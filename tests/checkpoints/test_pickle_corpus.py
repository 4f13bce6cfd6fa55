"""Every corpus sample through the library scanner: malicious refused by name, benign kept.

``analyse`` is what ``add`` runs on each file. A malicious sample must raise a
``CheckpointError`` (exit 4) whose one-line message names the file and the global or defect;
a benign checkpoint must be accepted without ``--allow-pickle``. Any other exception (a
traceback for the user) fails the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.checkpoints.file_formats import analyse
from registry.errors import EXIT_OPERATIONAL, CheckpointError
from tests.checkpoints.pickle_benign import benign
from tests.checkpoints.pickle_corpus import Sample, malicious, write_corpus


def _write(sample: Sample, folder: Path) -> Path:
    ((_, path),) = write_corpus(folder, [sample])
    return path


def test_corpus_covers_every_class_of_the_issue() -> None:
    names = {s.name for s in malicious()}
    for family in (
        "torch-inductor", "torch-bottleneck", "torch-dynamo", "torch-fx", "torch-jit",
        "pydoc-pipepager", "venv-create", "idlelib-runcode", "lib2to3-grammar",
        "doctest-debug-script", "ensurepip-run-pip", "uuid-command", "osx-support",
        "aix-support", "imaplib-stream", "poplib", "nntplib", "pkgutil-resolve-name",
        "types-codetype", "logging-filehandler", "subinterpreters", "numpy-f2py",
        "numpy-testing", "aiohttp", "mlflow", "pandas-read-csv", "cloudpickle",
        "functools-partial", "operator-methodcaller", "httplib-py2", "cpickle-py2",
        "commands-py2", "dotted-builtins-eval", "dotted-logging-os", "numpy-builtins-getattr",
        "build-plants-setstate", "protocol0-long", "protocol1-long", "stacked-ten",
        "stacked-p4-then-p0", "truncated-pkl", "npy-object-array", "npz-object-member",
        "zip-odd-member-name", "zip-encrypted-member", "7z-archive",
    ):  # fmt: skip
        assert family in names
    assert len(benign()) >= 15


@pytest.mark.parametrize("sample", malicious(), ids=lambda s: s.name)
def test_malicious_sample_refused_naming_the_global(sample: Sample, tmp_path: Path) -> None:
    path = _write(sample, tmp_path)
    with pytest.raises(CheckpointError) as info:
        analyse(path, sample.filename, path.stat().st_size)
    message = str(info.value)
    assert info.value.exit_code == EXIT_OPERATIONAL
    assert "\n" not in message and message.startswith(f"{sample.filename}: ")
    assert any(name in message for name in sample.names), message


@pytest.mark.parametrize("sample", malicious(), ids=lambda s: s.name)
def test_malicious_sample_refused_even_with_allow_pickle(sample: Sample, tmp_path: Path) -> None:
    """Every malicious sample reaches a dangerous global or a defect, not only unknown ones."""
    path = _write(sample, tmp_path)
    with pytest.raises(CheckpointError):
        analyse(path, sample.filename, path.stat().st_size, allow_pickle=True)


@pytest.fixture(scope="module")
def benign_corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Sample, Path]]:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    written = write_corpus(tmp_path_factory.mktemp("benign"), benign())
    return {sample.name: (sample, path) for sample, path in written}


@pytest.mark.parametrize("name", [s.name for s in benign()])
def test_benign_checkpoint_accepted(
    name: str, benign_corpus: dict[str, tuple[Sample, Path]]
) -> None:
    sample, path = benign_corpus[name]
    analysis = analyse(path, sample.filename, path.stat().st_size)
    assert analysis.format in ("pickle", "other")
    if analysis.format == "pickle":
        assert analysis.details["unknown"] == []
        assert analysis.warning is not None and "outside the safe list" not in analysis.warning
    else:
        assert sample.filename.endswith((".npy", ".npz"))  # numeric arrays hold no pickle
