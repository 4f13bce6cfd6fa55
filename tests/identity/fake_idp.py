"""A real OpenID Connect provider on loopback, small enough to read: for the sign-in tests.

It serves discovery, a JWKS with a freshly generated RSA and EC key, an authorize endpoint
that signs in at once (as ``login_hint`` from the query, else :attr:`FakeIdP.user`) and
redirects back with a code, and a token endpoint that checks the client's secret (basic or
post, as :attr:`FakeIdP.auth_methods` offers), the redirect URI and the PKCE verifier before
it answers with an ID token signed by its key. Tests turn it hostile through its
attributes: :attr:`overrides` (claims), :attr:`alg`, :attr:`sign_with` (a key it does not
publish), :attr:`error` (the authorize endpoint refuses); :attr:`interactive` makes the
authorize endpoint a page with a link to click instead, as a person would at a real one.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

CLIENT_ID = "modelreg-test"
CLIENT_SECRET = "s3cr3t+/= with spaces"


class FakeIdP:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.user = "alice"
        self.alg = "RS256"
        self.overrides: dict[str, Any] = {}
        self.sign_with: Any = None
        self.error: str | None = None
        self.interactive = False  # show a page to click through (the way back then starts here)
        self.auth_methods = ["client_secret_basic", "client_secret_post"]
        self.codes: dict[str, dict[str, str]] = {}
        self.token_calls: list[dict[str, str]] = []
        self._server = ThreadingHTTPServer((host, 0), _handler(self))
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FakeIdP:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def jwks(self) -> dict[str, Any]:
        rsa_jwk = json.loads(RSAAlgorithm.to_jwk(self.rsa.public_key()))
        ec_jwk = json.loads(ECAlgorithm.to_jwk(self.ec.public_key()))
        return {"keys": [{**rsa_jwk, "kid": "rsa-1", "use": "sig"},
                         {**ec_jwk, "kid": "ec-1", "use": "sig"}]}  # fmt: skip

    def discovery(self) -> dict[str, Any]:
        i = self.issuer
        return {
            "issuer": i,
            "authorization_endpoint": i + "/authorize",
            "token_endpoint": i + "/token",
            "jwks_uri": i + "/jwks",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": self.auth_methods,
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        }

    def id_token(self, user: str, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "sub": f"sub-{user}", "aud": CLIENT_ID, "iat": now,
            "exp": now + 300, "nonce": nonce, "preferred_username": user,
            "email": f"{user}@example.org", "email_verified": True,
        }  # fmt: skip
        claims.update(self.overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        if self.alg == "none":
            return jwt.encode(claims, None, algorithm="none")
        if self.alg.startswith("HS"):  # the classic confusion: the secret as an HMAC key
            return jwt.encode(claims, CLIENT_SECRET.encode() * 4, algorithm=self.alg)
        key, kid = (self.ec, "ec-1") if self.alg.startswith("ES") else (self.rsa, "rsa-1")
        key = self.sign_with or key
        return jwt.encode(claims, key, algorithm=self.alg, headers={"kid": kid})

    def authorize(self, query: dict[str, str]) -> str:
        """The Location the authorize endpoint sends the browser to."""
        back = query["redirect_uri"]
        sep = "&" if "?" in back else "?"
        if self.error:
            return back + sep + urlencode({"error": self.error, "state": query.get("state", "")})
        assert query.get("response_type") == "code" and query.get("client_id") == CLIENT_ID
        assert query.get("code_challenge_method") == "S256" and "openid" in query["scope"]
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "challenge": query["code_challenge"], "redirect_uri": back,
            "nonce": query["nonce"], "user": query.get("login_hint") or self.user,
        }  # fmt: skip
        return back + sep + urlencode({"code": code, "state": query["state"]})

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        self.token_calls.append(form)
        if authorization and authorization.startswith("Basic "):
            raw = base64.b64decode(authorization[6:]).decode()
            cid, _, secret = (parse_qs(f"x={p}")["x"][0] for p in raw.partition(":"))
            method = "client_secret_basic"
        else:
            cid, secret = form.get("client_id", ""), form.get("client_secret", "")
            method = "client_secret_post"
        if method not in self.auth_methods or cid != CLIENT_ID or secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier"}
        token = self.id_token(grant["user"], grant["nonce"])
        return 200, {"access_token": "at", "token_type": "Bearer", "id_token": token}


def _handler(idp: FakeIdP) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, idp.discovery())
            elif parts.path == "/jwks":
                self._json(200, idp.jwks())
            elif parts.path == "/authorize" and idp.interactive:
                where = html.escape(idp.authorize(query))
                page = (
                    f'<!doctype html><title>IdP</title><link rel="icon" href="data:,">'
                    f'<a href="{where}">Continue</a>'
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
            elif parts.path == "/authorize":
                self.send_response(302)
                self.send_header("location", idp.authorize(query))
                self.send_header("content-length", "0")
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            size = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(size).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            self._json(*idp.token(form, self.headers.get("authorization")))

    return Handler
