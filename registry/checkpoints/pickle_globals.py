"""Normalise a pickle global to the name the unpickler really reaches, then tier it.

A global is written as a module and a name. Before deciding, the name is normalised the way
the unpickler resolves it: protocol 0-2 pickles carry Python 2 names that ``pickle`` maps
through ``_compat_pickle`` (``httplib`` -> ``http.client``, ``__builtin__`` -> ``builtins``,
``exceptions.X`` -> ``builtins.X``); torch applies the same map at every protocol, and so do
we. A name may be dotted (protocol 4 walks attributes: ``builtins`` + ``eval.__call__``,
``logging`` + ``os.system``), so every attribute part is read as a possible start of the
real target. Unresolvable names (``?``: computed on the stack) count as dangerous.

Tiers (data in ``pickle_tiers``): ``safe`` only by exact match; ``dangerous`` by module,
name prefix, dangerous attribute or any dunder attribute; ``unknown`` otherwise.
"""

from __future__ import annotations

from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING
from typing import Literal

from registry.checkpoints.pickle_tiers import (
    BUILTIN_MODULE_ALIASES,
    DANGEROUS_ATTRIBUTES,
    DANGEROUS_MODULES,
    DANGEROUS_NAMES,
    SAFE,
)

Tier = Literal["safe", "dangerous", "unknown"]
UNRESOLVED = "?"


def normalise(module: str, name: str) -> tuple[str, str]:
    """The (module, name) the unpickler imports for a global written as ``module name``."""
    if (module, name) in NAME_MAPPING:
        module, name = NAME_MAPPING[(module, name)]
    elif module in IMPORT_MAPPING:
        module = IMPORT_MAPPING[module]
    if module in BUILTIN_MODULE_ALIASES:
        module = "builtins"
    return module, name


def dotted(module: str, name: str) -> str:
    return f"{module}.{name}" if name else module


def _matches(parts: list[str]) -> bool:
    """Whether a dotted path starting at ``parts[0]`` lies in a dangerous module or name."""
    for end in range(1, len(parts) + 1):
        prefix = ".".join(parts[:end])
        if prefix in DANGEROUS_MODULES or prefix in DANGEROUS_NAMES:
            return True
    return False


def _is_dunder(part: str) -> bool:
    return len(part) > 4 and part.startswith("__") and part.endswith("__")


def classify(module: str, name: str) -> Tier:
    """The tier of an already normalised global (see the module docstring)."""
    full = dotted(module, name)
    if full in SAFE:
        return "safe"
    if UNRESOLVED in (module, name) or not module:
        return "dangerous"
    module_parts = module.split(".")
    name_parts = name.split(".") if name else []
    if _matches(module_parts + name_parts):
        return "dangerous"
    for start in range(len(name_parts)):  # an attribute may be a module: logging.os.system
        if _matches(name_parts[start:]):
            return "dangerous"
    if any(_is_dunder(p) or p in DANGEROUS_ATTRIBUTES for p in name_parts):
        return "dangerous"
    if any(_is_dunder(p) for p in module_parts[1:]):
        return "dangerous"
    return "unknown"


def is_dangerous(module: str, name: str) -> bool:
    """Whether ``module.name`` (as written in a pickle) is in the dangerous tier."""
    return classify(*normalise(module, name)) == "dangerous"
