"""Keyset paging: the opaque cursor that ``list --cursor`` and the API's ``cursor`` take.

A page is the rows after the last sort key of the previous page, so a page costs the same
at the end of 100,000 variants as at the start, and rows inserted meanwhile never shift a
page. The cursor is that sort key, a JSON list, in URL-safe base64 without padding: the
format is not a promise (clients pass back what they were given), and a cursor that does
not decode is a usage error.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from registry.errors import InvalidInputError

T = TypeVar("T")
MAX_LIMIT = 10_000


def encode_cursor(key: Sequence[Any]) -> str:
    """The cursor that resumes after the row whose sort key is ``key``."""
    raw = json.dumps(list(key), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int = 1) -> list[Any]:
    """The sort key in ``cursor`` (``arity`` values), or InvalidInputError."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw.decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or len(key) != arity:
        raise InvalidInputError("the cursor is not one this catalog gave out")
    return key


def check_limit(limit: int | None) -> int | None:
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(f"--limit must be between 1 and {MAX_LIMIT}")
    return limit


@dataclass
class Page(Generic[T]):
    """One page of rows and the cursor of the next one (None on the last page)."""

    items: list[T] = field(default_factory=list)
    next_cursor: str | None = None
