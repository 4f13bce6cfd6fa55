"""Writing the config file (``modelreg login`` and ``logout``): atomically, mode 0600.

The file may hold an API token, so it is created readable by its owner only, and replaced
atomically (a new file, then a rename), keeping the other keys as they were. Values are the
few types the config has: strings and lists of strings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from registry.config import KNOWN_KEYS, read_config_file
from registry.errors import InvalidInputError, OperationalError

MODE = 0o600


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
    raise InvalidInputError(f"cannot write {value!r} to the config file")


def update_config_file(path: Path, changes: dict[str, Any]) -> None:
    """Set (or, with None, remove) keys of the config file; everything else is kept."""
    data = read_config_file(path)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    text = "".join(f"{k} = {_toml_value(data[k])}\n" for k in KNOWN_KEYS if k in data)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, MODE)  # whatever the umask said
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OperationalError(f"cannot write config file {path}: {exc.strerror}") from None
