"""The team server's HTTP API as seen by the CLI: requests, pages, and errors as library errors.

An answer's error document (``{"error": {"code", "message", "exit_code"}}``) becomes the
library error of that ``code``, with the server's message and hint, so a command fails
exactly as it would on a direct database. A server that cannot be reached, times out or
answers 5xx without an error document is a :class:`~registry.errors.RemoteError` (exit 4),
one line naming the server. The token travels only in the ``Authorization`` header and is
never part of a message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx

from registry import __version__
from registry.errors import (
    AuthenticationError,
    CheckpointError,
    ModelregError,
    RemoteError,
    error_classes,
)

API = "/api/v1"
PAGE = 1000
TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def segment(name: str) -> str:
    """A name as a URL path part (``/`` kept: the server's routes take names with slashes)."""
    return quote(name, safe="/@:+=~,")


def _raise_error(status: int, doc: Any, url: str) -> None:
    err = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(err, dict) or not isinstance(err.get("message"), str):
        raise RemoteError(f"team server {url} answered HTTP {status}")
    cls = error_classes().get(str(err.get("code")))
    if cls is None:
        cls = RemoteError if status >= 500 else ModelregError
    exc = cls.__new__(cls)
    ModelregError.__init__(exc, err["message"], hint=err.get("hint"))
    if cls is CheckpointError or issubclass(cls, CheckpointError):
        exc.path, exc.defect = "", err["message"]  # type: ignore[attr-defined]
    if isinstance(err.get("exit_code"), int) and err["exit_code"] != cls.exit_code:
        exc.exit_code = err["exit_code"]
    if isinstance(exc, AuthenticationError) and exc.hint is None:
        exc.hint = "`modelreg login URL` stores a new token (or set MODELREG_TOKEN)"
    raise exc


class ApiClient:
    def __init__(
        self, url: str, token: str | None, *, timeout: httpx.Timeout | None = None
    ) -> None:
        self.url = url.rstrip("/")
        headers = {"User-Agent": f"modelreg/{__version__}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout or TIMEOUT)

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        allow: tuple[int, ...] = (),
    ) -> Any:
        """The answer's JSON (None for 204); library errors for error answers."""
        try:
            res = self._http.request(
                method, API + path, json=json, params=params, headers=headers or {}
            )
        except httpx.TimeoutException:
            raise RemoteError(f"team server {self.url} did not answer in time") from None
        except httpx.HTTPError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RemoteError(f"team server {self.url} is not reachable: {reason}") from None
        if res.status_code in allow:
            return res
        if res.status_code >= 400:
            try:
                doc = res.json()
            except ValueError:
                doc = None
            _raise_error(res.status_code, doc, self.url)
        if res.status_code == 204 or not res.content:
            return None
        try:
            return res.json()
        except ValueError:
            raise RemoteError(
                f"team server {self.url} answered something that is not JSON"
            ) from None

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=_clean(params))

    def pages(
        self, path: str, *, limit: int | None = None, cursor: str | None = None, **params: Any
    ) -> Iterator[Any]:
        """Items of a keyset-paged list from ``cursor`` on (at most ``limit``; None: all)."""
        left = limit
        while True:
            size = PAGE if left is None else min(PAGE, left)
            page = self.get(path, limit=size, cursor=cursor, **params)
            yield from page["items"]
            if left is not None:
                left -= len(page["items"])
            cursor = page.get("next_cursor")
            if not cursor or (left is not None and left <= 0):
                return


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in params.items():
        if v is None:
            continue
        out[k] = ("true" if v else "false") if isinstance(v, bool) else v
    return out
