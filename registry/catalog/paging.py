"""Keyset paging: the opaque cursor of every list, the CLI's ``--cursor`` and the API's.

A page is the rows after the last sort key of the previous page (a name, or an id), so a
page costs the same at the end of 100,000 variants as at the start, and rows inserted
meanwhile never shift a page. The cursor is that key as JSON in URL-safe base64 without
padding: the format is not a promise (clients pass back what they were given), and a
cursor that does not decode is a usage error. ``list --cursor`` takes the ``next_cursor``
of the team server's ``GET /variants`` and the other way round.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Generic, TypeVar

from registry.errors import InvalidInputError

T = TypeVar("T")
MAX_LIMIT = 10_000
_BAD = "the cursor is not one this catalog gave out"


def encode_cursor(after: Any) -> str:
    """The cursor that resumes after the row whose sort key is ``after``."""
    raw = json.dumps({"a": after}, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    """The sort key in ``cursor`` (None for no cursor), or InvalidInputError."""
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        doc = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInputError(_BAD) from None
    if not isinstance(doc, dict) or "a" not in doc:
        raise InvalidInputError(_BAD)
    return doc["a"]


def cursor_key(cursor: str | None, kind: type) -> Any:
    """The key in ``cursor`` when it is of ``kind`` (a name: str, an id: int)."""
    value = decode_cursor(cursor)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise InvalidInputError(_BAD)
    return value


def check_limit(limit: int | None, maximum: int = MAX_LIMIT) -> int | None:
    if limit is not None and not 1 <= limit <= maximum:
        raise InvalidInputError(f"--limit must be between 1 and {maximum}")
    return limit


@dataclass
class Page(Generic[T]):
    """One page of rows and the cursor of the next one (None on the last page)."""

    items: list[T] = field(default_factory=list)
    next_cursor: str | None = None


def take_page(fetched: Iterable[T], limit: int, key: Callable[[T], Any]) -> Page[T]:
    """A page from rows fetched with ``limit + 1``: the extra one only says there is more."""
    rows = list(islice(fetched, limit + 1))
    page = Page(rows[:limit])
    if len(rows) > limit and page.items:
        page.next_cursor = encode_cursor(key(page.items[-1]))
    return page
