"""Keyset cursors of the API: the last key of a page, as opaque URL-safe text."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from registry.errors import InvalidInputError


def encode_cursor(after: Any) -> str:
    raw = json.dumps({"a": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        doc = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInputError("cursor is not one this server gave out") from None
    if not isinstance(doc, dict) or "a" not in doc:
        raise InvalidInputError("cursor is not one this server gave out")
    return doc["a"]
