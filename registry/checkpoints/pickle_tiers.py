"""The data behind the pickle allowlist: which globals are safe, which are known dangerous.

Three tiers (``pickle_globals.classify`` applies them to normalised dotted names):

- ``SAFE``: exact names known to appear in real checkpoints and harmless to import and
  call. The base is the set ``torch.load(weights_only=True)`` admits (torch 2.13's
  ``torch/_weights_only_unpickler.py``: rebuild functions, storages, dtypes, ``Size``,
  ``device``, ``OrderedDict``, ``Counter``, ``_codecs.encode``, ``set``/``bytearray``/
  ``complex``), plus what real files hold beyond it:

  * numpy arrays and scalars inside ``torch.save`` dicts (``_reconstruct``, ``ndarray``,
    ``dtype``, ``scalar``, and protocol 5's ``_frombuffer``, under ``numpy.core`` and
    numpy 2's ``numpy._core``);
  * Lightning checkpoints: ``pathlib`` path classes in hyper-parameters (constructing a path
    from strings touches no file system);
  * ``argparse.Namespace`` (fairseq's ``args``, older Lightning ``hparams``) and
    ``types.SimpleNamespace``: they only set attributes;
  * ``training_args.bin``: ``TrainingArguments`` (and ``Seq2SeqTrainingArguments``), its enums
    and the ``accelerate`` objects it carries, found by pickling the real class (unpickling
    sets ``__dict__``; ``__post_init__`` never runs);
  * plain-data builtins, ``datetime``, ``decimal``, ``fractions`` and ``collections`` types,
    and the protocol 0/1 helpers ``copyreg._reconstructor`` / ``__newobj__`` (they only call
    ``cls.__new__`` / ``base.__init__`` of classes the pickle names, which are classified).

  Deliberately left out (unknown tier, ``--allow-pickle`` admits them): ``functools.partial``
  (harmless itself, but it defers a call), omegaconf containers, whole ``nn.Module`` pickles.

- ``DANGEROUS_*``: modules, names and attribute names that reach code execution, files,
  processes, the network or the import system; refused whatever ``--allow-pickle`` says.

- everything else: unknown, refused unless ``--allow-pickle``.
"""

from __future__ import annotations

_TORCH_STORAGES = (
    "BFloat16 Bool Byte Char ComplexDouble ComplexFloat Double Float Half Int Long Short".split()
)
_TORCH_TENSORS = "BFloat16 Bool Byte Char Double Float Half Int Long Short".split()
_TORCH_DTYPES = (
    (
        "bfloat16 bits16 bits1x8 bits2x4 bits4x2 bits8 bool complex128 complex32 complex64 "
        "float16 float32 float4_e2m1fn_x2 float64 float8_e4m3fn float8_e4m3fnuz float8_e5m2 "
        "float8_e5m2fnuz float8_e8m0fnu int16 int32 int64 int8 qint32 qint8 quint2x4 quint4x2 "
        "quint8 uint16 uint32 uint64 uint8"
    ).split()
    + [f"int{i}" for i in range(1, 8)]
    + [f"uint{i}" for i in range(1, 8)]
)
_TORCH_REBUILD = (
    "_rebuild_tensor _rebuild_tensor_v2 _rebuild_tensor_v3 _rebuild_parameter "
    "_rebuild_parameter_with_state _rebuild_wrapper_subclass _rebuild_sparse_tensor "
    "_rebuild_meta_tensor_no_storage _rebuild_nested_tensor _rebuild_qtensor "
    "_rebuild_device_tensor_from_cpu_tensor _rebuild_device_tensor_from_numpy"
).split()
_QSCHEMES = (
    "per_tensor_affine per_tensor_symmetric per_channel_affine per_channel_symmetric "
    "per_channel_affine_float_qparams"
).split()

_TORCH_SAFE = (
    {f"torch.{s}Storage" for s in _TORCH_STORAGES}
    | {f"torch.{s}Storage" for s in ("QInt32", "QInt8", "QUInt2x4", "QUInt4x2", "QUInt8")}
    | {f"torch.cuda.{s}Storage" for s in _TORCH_STORAGES}
    | {
        f"torch{p}.{s}Tensor"
        for p in ("", ".cuda", ".sparse", ".cuda.sparse")
        for s in _TORCH_TENSORS
    }
    | {f"torch.{d}" for d in _TORCH_DTYPES}
    | {f"torch.{q}" for q in _QSCHEMES}
    | {f"torch._utils.{f}" for f in _TORCH_REBUILD}
    | {
        "torch.Size", "torch.Tensor", "torch.device", "torch.nn.parameter.Parameter",
        "torch.nn.parameter.Buffer", "torch.serialization._get_layout",
        "torch._tensor._rebuild_from_type_v2", "torch.storage.TypedStorage",
        "torch.storage.UntypedStorage", "torch.torch_version.TorchVersion",
    }
)  # fmt: skip

_NUMPY_SAFE = (
    {
        f"{core}.{name}"
        for core in ("numpy.core.multiarray", "numpy._core.multiarray")
        for name in ("_reconstruct", "scalar")
    }
    | {f"{core}._frombuffer" for core in ("numpy.core.numeric", "numpy._core.numeric")}
    | {"numpy.ndarray", "numpy.dtype"}
)

_PYTHON_SAFE = {
    "_codecs.encode",
    "collections.OrderedDict", "collections.Counter", "collections.defaultdict",
    "collections.deque",
    "copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__",
    "argparse.Namespace", "types.SimpleNamespace",
    "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta",
    "datetime.timezone", "decimal.Decimal", "fractions.Fraction",
} | {
    f"builtins.{b}"
    for b in (
        "set frozenset bytearray complex slice range object int float bool str bytes list "
        "dict tuple Ellipsis NotImplemented"
    ).split()
} | {
    f"pathlib.{cls}"
    for cls in "Path PosixPath WindowsPath PurePath PurePosixPath PureWindowsPath".split()
} | {
    f"pathlib._local.{cls}"  # Python 3.13 moved the classes (pickles name the new module)
    for cls in "Path PosixPath WindowsPath PurePath PurePosixPath PureWindowsPath".split()
}  # fmt: skip

_TRAINING_ARGS_SAFE = {
    "transformers.training_args.TrainingArguments",
    "transformers.training_args.OptimizerNames",
    "transformers.training_args.ParallelMode",
    "transformers.training_args_seq2seq.Seq2SeqTrainingArguments",
    "transformers.trainer_utils.IntervalStrategy",
    "transformers.trainer_utils.EvaluationStrategy",
    "transformers.trainer_utils.SaveStrategy",
    "transformers.trainer_utils.SchedulerType",
    "transformers.trainer_utils.HubStrategy",
    "transformers.trainer_utils.FSDPOption",
    "transformers.debug_utils.DebugOption",
    "transformers.trainer_pt_utils.AcceleratorConfig",
    "accelerate.state.PartialState",
    "accelerate.utils.dataclasses.DistributedType",
}

SAFE: frozenset[str] = frozenset(_TORCH_SAFE | _NUMPY_SAFE | _PYTHON_SAFE | _TRAINING_ARGS_SAFE)

# Every name inside these modules (and their submodules) is dangerous.
DANGEROUS_MODULES: frozenset[str] = frozenset(
    {
        # processes, the OS, the interpreter and the import system
        "os", "posix", "nt", "subprocess", "_posixsubprocess", "sys", "shutil", "pty",
        "signal", "platform", "ctypes", "_ctypes", "multiprocessing", "concurrent",
        "_thread", "threading", "asyncio", "importlib", "imp", "zipimport", "pkgutil",
        "runpy", "site", "sysconfig", "code", "codeop", "gc",
        "_xxsubinterpreters", "_interpreters", "_xxinterpchannels", "_interpchannels",
        "_interpqueues", "interpreters", "test.support", "types",
        # serialisers that run code on load
        "pickle", "_pickle", "pickletools", "marshal", "shelve", "dbm", "dill",
        "cloudpickle", "joblib", "jsonpickle", "yaml", "ruamel", "srsly",
        # files, archives and the network
        "io", "_io", "codecs", "tempfile", "glob", "fileinput", "zipfile", "tarfile",
        "socket", "_socket", "ssl", "socketserver", "http", "urllib", "urllib3", "requests",
        "httpx", "aiohttp", "ftplib", "smtplib", "smtpd", "telnetlib", "imaplib", "poplib",
        "nntplib", "xmlrpc", "webbrowser", "antigravity", "mailcap", "logging",
        # debuggers, profilers and code runners in the standard library
        "pdb", "bdb", "timeit", "cProfile", "profile", "trace", "doctest", "pydoc",
        "idlelib", "lib2to3", "ensurepip", "venv", "distutils", "setuptools", "pip",
        "pkg_resources", "uuid", "_osx_support", "_aix_support", "_bootsubprocess", "_pyrepl",
        "unittest", "cgitb", "operator", "_operator", "copyreg",
        # third-party loaders and executors
        "numpy.f2py", "numpy.testing", "numpy.distutils", "numpy.ctypeslib", "numpy.lib.npyio",
        "numpy.lib._npyio_impl", "numpy.lib.utils", "pandas.io", "pandas.core.computation",
        "mlflow", "IPython", "jinja2", "huggingface_hub", "transformers.dynamic_module_utils",
        "keras", "tensorflow", "ray",
        # torch: compilers, code generators, loaders, packagers
        "torch._inductor", "torch._dynamo", "torch.fx", "torch.jit", "torch.hub",
        "torch.package", "torch.serialization", "torch._weights_only_unpickler",
        "torch.utils.bottleneck", "torch.utils.cpp_extension", "torch.utils.collect_env",
        "torch.utils.data.datapipes", "torch.distributed", "torch.multiprocessing",
        "torch.testing", "torch.storage", "torch.ops", "torch._ops", "torch.library",
        "torch.export", "torch._export", "torch.onnx", "torch.compiler", "torch._functorch",
        "torch._higher_order_ops", "torch._subclasses", "torch._prims",
        "torch.utils._config_module",
    }
)  # fmt: skip

# Single dangerous names (a dotted prefix: ``builtins.eval`` covers ``builtins.eval.x``).
DANGEROUS_NAMES: frozenset[str] = frozenset(
    f"builtins.{b}"
    for b in (
        "eval exec compile open __import__ getattr setattr delattr globals locals vars "
        "breakpoint input execfile apply file reload help exit quit copyright credits "
        "license __build_class__ __loader__ __spec__ memoryview"
    ).split()
) | frozenset(
    {
        "functools.reduce", "functools.partialmethod", "functools.singledispatch",
        "numpy.load", "numpy.fromfile", "numpy.memmap", "numpy.save", "numpy.savez",
        "numpy.savetxt", "numpy.loadtxt", "numpy.genfromtxt", "pandas.eval",
        "torch.load", "torch.save", "torch.from_file", "torch._load_global_deps", "torch.compile",
    }
)  # fmt: skip

# Attribute names that are dangerous wherever they appear in a dotted path.
DANGEROUS_ATTRIBUTES: frozenset[str] = frozenset(
    (
        "system popen popen2 popen3 popen4 startfile spawn spawnl spawnle spawnlp spawnlpe "
        "spawnv spawnve spawnvp spawnvpe execl execle execlp execlpe execv execve execvp "
        "execvpe exec eval run call check_call check_output getoutput getstatusoutput "
        "fork forkpty kill killpg __import__ import_module load_module execfile runcode "
        "runsource run_path run_module urlopen urlretrieve load loads load_state_dict "
        "from_pretrained read_pickle read_csv read_table read_json read_parquet read_sql "
        "to_pickle to_csv write_text write_bytes unlink rmtree remove rmdir removedirs "
        "getattr setattr delattr attrgetter methodcaller itemgetter resolve_name locate "
        "compile_file load_library load_inline"
    ).split()
)

BUILTIN_MODULE_ALIASES: frozenset[str] = frozenset({"builtins", "__builtin__", "__builtins__"})
