"""What a name in the catalog may look like: variants, organisations, deployments.

Segments of letters, digits and ``. _ + @ : = ~ , ^ ! ( ) [ ] -`` separated by single ``/``
(a variant's namespace is its first segment, as on the Hub). No ``.`` or ``..`` segment, no
leading or trailing ``/``, no spaces, quotes, semicolons, backslashes or control characters:
a name is never a path and needs no escaping in shells, logs or SQL.
"""

from __future__ import annotations

import re

from registry.errors import InvalidInputError

MAX_NAME_LENGTH = 255
_SEGMENT = r"[\w.+@:=~,^!()\[\]-]+"
_NAME = re.compile(rf"^{_SEGMENT}(?:/{_SEGMENT})*$")


def check_catalog_name(name: str, what: str = "a variant name") -> str:
    name = name.strip()
    if not name:
        raise InvalidInputError(f"{what} must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(f"{what} is at most {MAX_NAME_LENGTH} characters")
    if not _NAME.match(name) or any(seg in (".", "..") for seg in name.split("/")):
        raise InvalidInputError(
            f"{what} {name!r} may hold letters, digits and . _ + @ : = ~ , ^ ! ( ) [ ] - in "
            "segments separated by single '/' (no '..', spaces, quotes or control characters)"
        )
    return name


def name_from_title(title: str) -> str:
    """A catalog name made from a free-text title (a GGUF's ``general.name``): runs of
    spaces become ``-``, other characters a name cannot hold are dropped, and so are empty,
    ``.`` and ``..`` segments. ``Meta Llama 3.1 8B Instruct`` is ``Meta-Llama-3.1-8B-Instruct``.
    """
    dashed = re.sub(r"\s+", "-", title.strip())
    kept = re.sub(r"[^\w.+@:=~,^!()\[\]/-]", "", dashed)
    return "/".join(s for s in kept.split("/") if s not in ("", ".", ".."))[:MAX_NAME_LENGTH]
