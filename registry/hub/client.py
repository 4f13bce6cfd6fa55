"""A small client for the Hugging Face Hub's HTTP API (metadata and small text files only).

It honours ``HF_ENDPOINT`` (default ``https://huggingface.co``), ``HF_TOKEN`` (else the token
file ``huggingface-cli login`` writes: ``HF_TOKEN_PATH`` or ``$HF_HOME/token``) and
``HF_HUB_OFFLINE``. Requests time out, and 429, 5xx answers and transport errors are retried
with exponential backoff (``Retry-After`` honoured, capped). Every failure becomes a
:class:`~registry.errors.HubError` (exit 4) with one readable line; the token never appears
in a message. Weights are never downloaded: file sizes and SHA-256 digests come from the
model-info API (``/api/models/{repo}/revision/{rev}?blobs=true``), where the Hub publishes
``lfs.sha256`` for LFS files and the git blob id for the others.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx

from registry import __version__
from registry.errors import HubError
from registry.hub.model_info import HubModel, HubRef, parse_model_info

DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_ATTEMPTS = 4
DEFAULT_BACKOFF_S = 0.5
MAX_RETRY_AFTER_S = 30.0
MAX_TEXT_BYTES = 4 * 1024 * 1024
MAX_INFO_BYTES = 64 * 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_TRUE = {"1", "on", "yes", "true"}


def env_endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def env_token() -> str | None:
    """``HF_TOKEN``, else the token file written by ``huggingface-cli login``, else None."""
    token = os.environ.get("HF_TOKEN", "").strip()
    if token:
        return token
    path_env = os.environ.get("HF_TOKEN_PATH")
    if path_env:
        path = Path(path_env).expanduser()
    else:
        home = os.environ.get("HF_HOME") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "huggingface"
        )
        path = Path(home).expanduser() / "token"
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class HubClient:
    """Metadata requests to one Hub endpoint; use as a context manager or call ``close()``."""

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | None = None,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff_s: float = DEFAULT_BACKOFF_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if _offline():
            raise HubError(
                "HF_HUB_OFFLINE is set: registering from the Hub needs the network",
                hint="unset HF_HUB_OFFLINE, or register a local download with `modelreg add DIR`",
            )
        self.endpoint = (endpoint or env_endpoint()).rstrip("/")
        self._token = token if token is not None else env_token()
        self._attempts = max(1, attempts)
        self._backoff_s = backoff_s
        self._sleep = sleep
        headers = {"User-Agent": f"modelreg/{__version__}"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        self._http = httpx.Client(timeout=timeout, headers=headers, follow_redirects=True)

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ requests

    def _get(
        self, url: str, what: str, *, max_bytes: int, missing_ok: bool = False
    ) -> bytes | None:
        """GET with retries; the body of a 2xx answer, None for a 404 when ``missing_ok``.

        Bodies are streamed and refused beyond ``max_bytes``, so a hostile or mistaken server
        cannot make modelreg hold gigabytes in memory.
        """
        last = ""
        previous: httpx.Response | None = None
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(self._delay(attempt, previous))
            previous = None
            try:
                with self._http.stream("GET", url) as response:
                    if response.status_code in RETRY_STATUSES:
                        previous = response
                        last = f"the Hub answered {response.status_code} for {what}"
                        continue
                    if response.status_code == 404 and missing_ok:
                        return None
                    if not response.is_success:
                        raise self._status_error(response, what)
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            raise HubError(f"{what}: the answer is larger than {max_bytes} bytes")
                    return bytes(body)
            except httpx.TransportError as exc:
                last = f"cannot reach {self.endpoint}: {_one_line(str(exc)) or type(exc).__name__}"
        raise HubError(f"{last} (gave up after {self._attempts} attempts)")

    def _delay(self, attempt: int, previous: httpx.Response | None) -> float:
        delay: float = self._backoff_s * (2 ** (attempt - 1))
        if previous is not None:
            retry_after = str(previous.headers.get("Retry-After", ""))
            if retry_after.strip().isdigit():
                delay = max(delay, float(retry_after))
        return min(delay, MAX_RETRY_AFTER_S)

    def _status_error(self, response: httpx.Response, what: str) -> HubError:
        code = response.headers.get("X-Error-Code", "")
        detail = _one_line(response.headers.get("X-Error-Message", ""))
        status = response.status_code
        suffix = f" ({detail})" if detail else ""
        if code == "GatedRepo" or (status == 403 and "gated" in detail.lower()):
            return HubError(
                f"{what} is gated: its access conditions must be accepted on the Hub{suffix}",
                hint="accept them on the model page, then set HF_TOKEN to a token of that account",
            )
        if status in (401, 403):
            who = "the token in HF_TOKEN" if self._token else "anonymous requests"
            return HubError(
                f"{what}: access denied to {who} (HTTP {status}){suffix}",
                hint="the repository may be private, gated or missing; set HF_TOKEN to a token "
                "that can read it",
            )
        if status == 404:
            kind = {
                "RevisionNotFound": "revision not found",
                "EntryNotFound": "file not found",
            }.get(code, "not found")
            return HubError(f"{what}: {kind} on {self.endpoint} (HTTP 404){suffix}")
        return HubError(f"{what}: the Hub answered HTTP {status}{suffix}")

    # ------------------------------------------------------------------ API

    def model_info(self, ref: HubRef) -> HubModel:
        """Metadata of a model at a revision (default ``main``), with every file's size/digest."""
        rev = ref.revision or "main"
        url = f"{self.endpoint}/api/models/{ref.repo_id}/revision/{quote(rev, safe='')}?blobs=true"
        body = self._get(url, f"hf:{ref}", max_bytes=MAX_INFO_BYTES)
        assert body is not None
        return parse_model_info(body, ref)

    def read_text(self, repo_id: str, revision: str, path: str) -> str | None:
        """A small text file of the repository at a commit (None when it does not exist)."""
        url = (
            f"{self.endpoint}/{repo_id}/resolve/{quote(revision, safe='')}/{quote(path, safe='/')}"
        )
        what = f"hf:{repo_id}@{revision[:12]}/{path}"
        body = self._get(url, what, max_bytes=MAX_TEXT_BYTES, missing_ok=True)
        if body is None:
            return None
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise HubError(f"hf:{repo_id}/{path} is not UTF-8 text") from None
