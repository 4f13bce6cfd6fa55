"""Malicious gadget samples: one pickle per dangerous callable family (issue 9, advisories).

Each sample calls one gadget that picklescan, fickling, modelscan or a security advisory
names (``torch._inductor``, ``pydoc``, ``uuid``, ``numpy.f2py``, ...), hand-assembled from
opcodes at protocols 0 to 4; nothing is ever unpickled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.checkpoints import pickle_asm as asm


@dataclass(frozen=True)
class Sample:
    name: str
    filename: str
    malicious: bool
    build: Callable[[], bytes]
    names: tuple[str, ...] = ()  # any of them must appear in the refusal


def _gadget(
    name: str, module: str, attr: str, *args: object, protocol: int = 2, named: str = ""
) -> Sample:
    """A pickle calling ``module.attr(*args)``; the refusal must name the global (``named``
    when the unpickler maps the name: Python 2 modules)."""
    data = asm.pickle_call(module, attr, *args, protocol=protocol)
    return Sample(name, f"{name}.pkl", True, lambda: data, (named or f"{module}.{attr}",))


GADGETS: list[Sample] = [
    _gadget("os-system-p0", "os", "system", "id", protocol=0),
    _gadget("builtins-eval-p4", "builtins", "eval", "print(1)", protocol=4),
    _gadget("builtin-exec-py2", "__builtin__", "exec", "1", protocol=0, named="builtins.exec"),
    _gadget("subprocess-popen", "subprocess", "Popen", ["id"]),
    _gadget(
        "httplib-py2",
        "httplib",
        "HTTPSConnection",
        "example.invalid",
        protocol=0,
        named="http.client.HTTPSConnection",
    ),  # fmt: skip
    _gadget("cpickle-py2", "cPickle", "loads", "x", protocol=0, named="pickle.loads"),
    _gadget(
        "commands-py2", "commands", "getoutput", "id", protocol=1, named="subprocess.getoutput"
    ),
    _gadget("dotted-builtins-eval", "builtins", "eval.__call__", "print(1)", protocol=4),
    _gadget("dotted-logging-os", "logging", "os.system", "id", protocol=4),
    _gadget("torch-inductor", "torch._inductor.codecache", "compile_file", "", "", ["sh"]),
    _gadget("torch-bottleneck", "torch.utils.bottleneck.__main__", "run_cprofile", "x", {}),
    _gadget("torch-dynamo", "torch._dynamo.guards", "GuardBuilder.get", "x", protocol=4),
    _gadget(
        "torch-fx",
        "torch.fx.experimental.symbolic_shapes",
        "ShapeEnv.evaluate_guards_expression",
        "x",
        protocol=4,
    ),  # fmt: skip
    _gadget("torch-jit", "torch.jit.unsupported_tensor_ops", "execWrapper", "x"),
    _gadget("torch-load-from-bytes", "torch.storage", "_load_from_bytes", "x"),
    _gadget("torch-serialization-load", "torch.serialization", "load", "/tmp/x.pt"),
    _gadget(
        "torch-config-module",
        "torch.utils._config_module",
        "ConfigModule.load_config",
        "x",
        protocol=4,
    ),  # noqa: E501
    _gadget("torch-collect-env", "torch.utils.collect_env", "run", "id"),
    _gadget("pydoc-pipepager", "pydoc", "pipepager", "", "id"),
    _gadget("venv-create", "venv", "create", "/tmp/venv"),
    _gadget("idlelib-runcode", "idlelib.pyshell", "ModifiedInterpreter.runcode", "x", protocol=4),  # noqa: E501
    _gadget("lib2to3-grammar", "lib2to3.pgen2.grammar", "Grammar.loads", "x", protocol=4),
    _gadget("doctest-debug-script", "doctest", "debug_script", "print(1)"),
    _gadget("ensurepip-run-pip", "ensurepip", "_run_pip", ["install", "x"]),
    _gadget("uuid-command", "uuid", "_get_command_stdout", "id"),
    _gadget("osx-support", "_osx_support", "_read_output", "id"),
    _gadget("aix-support", "_aix_support", "_read_cmd_output", "id"),
    _gadget("imaplib-stream", "imaplib", "IMAP4_stream", "id"),
    _gadget("poplib", "poplib", "POP3", "example.invalid"),
    _gadget("nntplib", "nntplib", "NNTP", "example.invalid"),
    _gadget("types-codetype", "types", "CodeType", 0, 0),
    _gadget("logging-filehandler", "logging", "FileHandler", "/tmp/x"),
    _gadget("subinterpreters", "_xxsubinterpreters", "run_string", 0, "print(1)"),
    _gadget("numpy-f2py", "numpy.f2py.crackfortran", "getlincoef", "x", {}),
    _gadget("numpy-testing", "numpy.testing._private.utils", "runstring", "print(1)", {}),
    _gadget("aiohttp", "aiohttp.client", "ClientSession"),
    _gadget("mlflow", "mlflow.pyfunc", "load_model", "runs:/x"),
    _gadget("pandas-read-csv", "pandas", "read_csv", "http://example.invalid/x.csv"),
    _gadget("cloudpickle", "cloudpickle.cloudpickle", "_builtin_type", "CodeType"),
    _gadget("io-fileio", "_io", "FileIO", "/etc/passwd"),
    _gadget("ssl-certificate", "ssl", "get_server_certificate", ["example.invalid", 443]),
    _gadget("code-runcode", "code", "InteractiveInterpreter.runcode", "x", protocol=4),
    _gadget("runpy-run-code", "runpy", "_run_code", "print(1)", {}),
    _gadget("cprofile-run", "cProfile", "run", "print(1)"),
    _gadget("timeit", "timeit", "timeit", "print(1)"),
    _gadget("pty-spawn", "pty", "spawn", "id"),
    _gadget("webbrowser-open", "webbrowser", "open", "http://example.invalid"),
    _gadget("shutil-rmtree", "shutil", "rmtree", "/tmp/x"),
    _gadget("requests-get", "requests.api", "get", "http://example.invalid"),
    _gadget("asyncio-subprocess", "asyncio.subprocess", "create_subprocess_shell", "id"),
    _gadget("socket-connection", "socket", "create_connection", ["example.invalid", 80]),
    _gadget("test-support-script", "test.support.script_helper", "assert_python_ok", "-c", "1"),
    _gadget("distutils-write-file", "distutils.file_util", "write_file", "/tmp/x", ["x"]),
    _gadget("pip-main", "pip", "main", ["install", "x"]),
    _gadget("trace-runctx", "trace", "Trace.runctx", "x", protocol=4),
    _gadget("urllib-urlopen", "urllib.request", "urlopen", "http://example.invalid"),
    _gadget("pyrepl-pager", "_pyrepl.pager", "pipe_pager", "x", "id"),
    _gadget("bdb-run", "bdb", "Bdb.run", "x", protocol=4),
]
