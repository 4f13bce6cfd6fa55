"""Shared pieces: the error document, keyset pages and their opaque cursors."""

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from registry.catalog.paging import cursor_key, take_page

T = TypeVar("T")
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
# the query parameters of every list: a page size and the cursor a previous page gave out
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1 to 1000).")]
Cursor = Annotated[str | None, Query(max_length=2048, description="`next_cursor` of a page.")]


def _unstorable(value: Any) -> str | None:
    """Why a JSON value cannot be stored as text (NUL, a lone surrogate), or None."""
    if isinstance(value, str):
        if "\0" in value:
            return "NUL characters are not accepted"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "text must be valid Unicode (a lone surrogate was sent)"
        return None
    if isinstance(value, dict):
        items: list[Any] = [*value.keys(), *value.values()]
        return next((why for v in items if (why := _unstorable(v))), None)
    if isinstance(value, list):
        return next((why for v in value if (why := _unstorable(v))), None)
    return None


class Strict(BaseModel):
    """A request body: unknown fields are refused, not ignored; every string must be text a
    database can store."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        why = _unstorable(data)
        if why is not None:
            raise ValueError(why)
        return data


class ErrorDetail(BaseModel):
    code: str
    message: str
    exit_code: int
    hint: str | None = None


class ErrorDoc(BaseModel):
    error: ErrorDetail


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page."
    )


def cursor_as(cursor: str | None, kind: type) -> Any:
    return cursor_key(cursor, kind)


def page(items: list[Any], limit: int, key: str) -> dict[str, Any]:
    """A page from ``limit + 1`` fetched items: the extra one only says there is more."""
    got = take_page(items, limit, lambda item: item[key])
    return {"items": got.items, "next_cursor": got.next_cursor}


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorDoc, "description": text}
    for code, text in (
        (401, "no token, or an invalid, expired or revoked one"),
        (403, "a role or scope is missing (the message names it)"),
        (404, "an unknown variant, organisation, deployment, user or policy"),
        (409, "a duplicate, a lineage conflict, or the same Idempotency-Key still running"),
        (412, "If-Match names a version that is no longer current"),
        (413, "request body too large"),
        (422, "invalid request"),
        (429, "too many failed authentications"),
        (503, "database unreachable, or its schema is behind"),
    )
}
