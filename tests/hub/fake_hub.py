"""A loopback stand-in for the Hugging Face Hub API: a real HTTP server on 127.0.0.1.

It serves the two endpoints modelreg uses, with the Hub's response shapes:

- ``GET /api/models/{repo}/revision/{rev}?blobs=true`` → model info (``sha``, ``siblings``
  with ``size``, ``blobId`` and ``lfs.sha256``, ``cardData``, ``gated``);
- ``GET /{repo}/resolve/{rev}/{path}`` → the file's bytes.

Each repository can misbehave on purpose: ``gated`` (403 ``GatedRepo`` on file downloads,
as the Hub does), ``fail_first`` (that many 500 answers before the real one), ``malformed``
(a body that is not the model-info JSON). Unknown repositories answer 401 ``RepoNotFound``,
as the Hub does for anonymous requests.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def commit_id(seed: str) -> str:
    return hashlib.sha1(seed.encode()).hexdigest()


@dataclass
class FakeRepo:
    repo_id: str
    files: dict[str, bytes]
    lfs: set[str] = field(default_factory=set)
    gated: bool = False
    fail_first: int = 0
    malformed: bytes | None = None
    card_data: dict[str, Any] = field(default_factory=dict)

    @property
    def sha(self) -> str:
        return commit_id(self.repo_id)

    def info(self) -> dict[str, Any]:
        siblings = []
        for path, data in sorted(self.files.items()):
            entry: dict[str, Any] = {"rfilename": path, "size": len(data)}
            if path in self.lfs:
                entry["blobId"] = git_blob_id(b"version https://git-lfs ...pointer " + data[:8])
                entry["lfs"] = {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "pointerSize": 135,
                }
            else:
                entry["blobId"] = git_blob_id(data)
            siblings.append(entry)
        return {
            "_id": "0" * 24,
            "id": self.repo_id,
            "modelId": self.repo_id,
            "sha": self.sha,
            "private": False,
            "gated": "manual" if self.gated else False,
            "pipeline_tag": "text-generation",
            "library_name": "transformers",
            "cardData": self.card_data,
            "siblings": siblings,
        }


def repo_from_dir(repo_id: str, root: Path, **kwargs: Any) -> FakeRepo:
    """A repository holding the files of a local directory; safetensors files go to LFS."""
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    lfs = {p for p in files if p.endswith((".safetensors", ".bin", ".gguf"))}
    return FakeRepo(repo_id, files, lfs, **kwargs)


class FakeHub:
    """The server and its repositories; ``requests`` records (path, Authorization) pairs."""

    def __init__(self) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.requests: list[tuple[str, str | None]] = []
        self._fail_counts: dict[str, int] = {}
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                hub.requests.append((self.path, self.headers.get("Authorization")))
                status, headers, body = hub.answer(urlsplit(self.path).path)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def add(self, repo: FakeRepo) -> FakeRepo:
        self.repos[repo.repo_id] = repo
        return repo

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    # ------------------------------------------------------------------ routing

    @staticmethod
    def _error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
        body = json.dumps({"error": message}).encode()
        headers = {"Content-Type": "application/json", "X-Error-Code": code}
        headers["X-Error-Message"] = message
        return status, headers, body

    def _repo(self, parts: list[str]) -> tuple[FakeRepo | None, list[str]]:
        for n in (2, 1):
            repo = self.repos.get("/".join(parts[:n]))
            if repo is not None:
                return repo, parts[n:]
        return None, parts

    def answer(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        parts = [unquote(p) for p in raw_path.strip("/").split("/")]
        if parts[:2] == ["api", "models"]:
            repo, rest = self._repo(parts[2:])
            if repo is None:
                return self._error(401, "RepoNotFound", "Repository Not Found")
            if rest[:1] != ["revision"] or len(rest) != 2:
                return self._error(404, "EntryNotFound", "no such API route")
            count = self._fail_counts.get(repo.repo_id, 0)
            if count < repo.fail_first:
                self._fail_counts[repo.repo_id] = count + 1
                return 500, {"Content-Type": "text/plain"}, b"Internal Server Error"
            if rest[1] not in ("main", repo.sha):
                return self._error(404, "RevisionNotFound", f"Invalid rev id: {rest[1]}")
            if repo.malformed is not None:
                return 200, {"Content-Type": "application/json"}, repo.malformed
            return 200, {"Content-Type": "application/json"}, json.dumps(repo.info()).encode()
        repo, rest = self._repo(parts)
        if repo is None:
            return self._error(401, "RepoNotFound", "Repository Not Found")
        if len(rest) < 3 or rest[0] != "resolve" or rest[1] not in ("main", repo.sha):
            return self._error(404, "EntryNotFound", "Entry not found")
        if repo.gated:
            return self._error(
                403,
                "GatedRepo",
                f"Access to model {repo.repo_id} is restricted and you are not in the authorized "
                "list. Visit https://huggingface.co/" + repo.repo_id + " to ask for access.",
            )
        path = "/".join(rest[2:])
        if path not in repo.files:
            return self._error(404, "EntryNotFound", f"{path} does not exist")
        return 200, {"Content-Type": "application/octet-stream"}, repo.files[path]
