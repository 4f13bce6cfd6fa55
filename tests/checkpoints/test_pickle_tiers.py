"""The allowlist tiers and the name normalisation they are applied after."""

from __future__ import annotations

import pytest

from registry.checkpoints.pickle_globals import classify, is_dangerous, normalise
from registry.checkpoints.pickle_tiers import SAFE


@pytest.mark.parametrize(
    ("written", "real"),
    [
        (("__builtin__", "eval"), ("builtins", "eval")),
        (("httplib", "HTTPSConnection"), ("http.client", "HTTPSConnection")),
        (("cPickle", "loads"), ("pickle", "loads")),
        (("commands", "getoutput"), ("subprocess", "getoutput")),
        (("copy_reg", "_reconstructor"), ("copyreg", "_reconstructor")),
        (("exceptions", "ValueError"), ("builtins", "ValueError")),
        (("__builtins__", "exec"), ("builtins", "exec")),
        (("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor_v2")),
    ],
)
def test_protocol2_names_are_mapped_as_the_unpickler_maps_them(
    written: tuple[str, str], real: tuple[str, str]
) -> None:
    assert normalise(*written) == real


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("os", "system"), ("posix", "system"), ("nt", "system"), ("subprocess", "Popen"),
        ("builtins", "eval"), ("builtins", "getattr"), ("builtins", "eval.__call__"),
        ("logging", "os.system"), ("numpy", "__builtins__"), ("numpy", "__builtins__.get"),
        ("torch._inductor.codecache", "compile_file"), ("torch.jit", "load"),
        ("torch.storage", "_load_from_bytes"), ("torch", "load"), ("pydoc", "locate"),
        ("pkgutil", "resolve_name"), ("types", "CodeType"), ("operator", "attrgetter"),
        ("_operator", "methodcaller"), ("numpy.testing._private.utils", "runstring"),
        ("pandas", "read_csv"), ("pandas.io.pickle", "read_pickle"), ("mlflow.pyfunc", "x"),
        ("cloudpickle.cloudpickle", "subimport"), ("pathlib", "os"), ("torch", "_utils.os"),
        ("collections", "OrderedDict.__reduce__"), ("?", "?"), ("myproject", "run"),
    ],
)  # fmt: skip
def test_dangerous(module: str, name: str) -> None:
    assert classify(*normalise(module, name)) == "dangerous"


@pytest.mark.parametrize(
    "name",
    [
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch.FloatStorage",
        "torch.bfloat16", "pathlib.PosixPath", "pathlib.WindowsPath", "argparse.Namespace",
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray.scalar", "numpy.dtype",
        "transformers.training_args.TrainingArguments", "builtins.set", "_codecs.encode",
        "copyreg._reconstructor",
    ],
)  # fmt: skip
def test_safe(name: str) -> None:
    module, _, attr = name.rpartition(".")
    assert classify(module, attr) == "safe"


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("functools", "partial"), ("mypackage.io", "Loader"), ("__main__", "MyModel"),
        ("torch.nn.modules.linear", "Linear"), ("omegaconf.dictconfig", "DictConfig"),
        ("builtins", "type"),
    ],
)  # fmt: skip
def test_unknown(module: str, name: str) -> None:
    assert classify(module, name) == "unknown"


def test_is_dangerous_reads_names_as_written() -> None:
    assert is_dangerous("__builtin__", "getattr") and is_dangerous("httplib", "HTTPConnection")
    assert not is_dangerous("collections", "OrderedDict")
    assert not is_dangerous("builtins", "set")


def test_safe_tier_covers_what_torch_weights_only_admits() -> None:
    unpickler = pytest.importorskip("torch._weights_only_unpickler")
    admitted = set(unpickler._get_allowed_globals())
    assert admitted - SAFE == set()
