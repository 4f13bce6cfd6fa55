"""The ``smoke`` extra: torch, transformers (and peft for adapters), imported only here.

Importing them switches the Hugging Face libraries offline first (``HF_HUB_OFFLINE=1``), so
that no smoke run ever reaches the network, whatever else the loader asks for.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from registry.errors import MissingDependencyError

INSTALL_HINT = (
    "install the smoke extra: pip install 'modelreg[smoke]' "
    "(for a GPU, first install the torch build for your CUDA version, "
    "see https://pytorch.org/get-started/locally/)"
)


def _missing(modules: str) -> MissingDependencyError:
    return MissingDependencyError(
        f"modelreg smoke needs {modules}, which are not installed", hint=INSTALL_HINT
    )


def go_offline() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def lib(name: str) -> Any:
    """An already importable module of the extra, untyped (these are big, optional and lazy)."""
    return importlib.import_module(name)


def require_torch_transformers() -> tuple[Any, Any]:
    """torch and transformers, or MissingDependencyError (exit 4) saying how to install them."""
    go_offline()
    try:
        return lib("torch"), lib("transformers")
    except ImportError:
        raise _missing("torch and transformers") from None


def require_peft() -> Any:
    """peft (adapters only), or MissingDependencyError saying how to install it."""
    go_offline()
    try:
        return lib("peft")
    except ImportError:
        raise _missing("peft (to load adapters)") from None
