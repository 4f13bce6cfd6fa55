"""OpenID Connect sign-in: discovery, PKCE, the code exchange and the ID token's checks.

The Authorization Code flow with PKCE (S256), ``state`` and ``nonce``. :meth:`OidcClient.begin`
makes the provider's authorization URL and a :class:`Pending` sign-in that the browser keeps
(in a short-lived cookie) until the provider sends it back; :meth:`OidcClient.finish` checks
what came back against it, exchanges the code at the token endpoint (``client_secret_basic``
unless the provider offers only ``client_secret_post``; redirects are never followed) and
verifies the ID token: its signature against the provider's JWKS (RSA, RSA-PSS and EC
algorithms; ``none`` and the HMAC ones are refused), ``iss``, ``aud`` (and ``azp`` when it
names several audiences), ``exp``/``iat`` with :data:`LEEWAY_S`, and the ``nonce``. The
result is the value of the configured username claim: the name of the modelreg user to sign
in, which :func:`registry.identity.web_sessions.open_user_session` looks up (OpenID Connect
never creates users). Discovery is cached for :data:`DISCOVERY_TTL_S`; every request has a
timeout. Failures are :class:`AuthenticationError` (one line, fit for the login page) or,
when the provider cannot be reached, :class:`OperationalError`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode, urlsplit

import httpx
import jwt

from registry.errors import AuthenticationError, InvalidInputError, OperationalError
from registry.identity.oidc_config import OidcSettings, check_url

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
DISCOVERY_TTL_S = 3600
PENDING_TTL_S = 600  # a sign-in must come back from the provider within 10 minutes
LEEWAY_S = 60
TIMEOUT_S = 10.0


def _form(value: str) -> str:
    return quote_plus(value, safe="")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class Pending:
    """A sign-in on its way through the provider: what must match when it comes back."""

    state: str
    nonce: str
    verifier: str
    next: str
    started: int

    def encode(self) -> str:
        return _b64(json.dumps(asdict(self), separators=(",", ":")).encode())

    @classmethod
    def decode(cls, value: str | None) -> Pending:
        lost = AuthenticationError(
            "this sign-in was not started in this browser or took too long; start it again"
        )
        if not value or len(value) > 2048:
            raise lost
        try:
            data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
            pending = cls(**{k: data[k] for k in ("state", "nonce", "verifier", "next")},
                          started=int(data["started"]))  # fmt: skip
        except (ValueError, TypeError, KeyError):
            raise lost from None
        if not all(isinstance(v, str) for v in (pending.state, pending.nonce, pending.verifier)):
            raise lost
        if not 0 <= time.time() - pending.started <= PENDING_TTL_S:
            raise lost
        return pending


@dataclass(frozen=True)
class Provider:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    auth_methods: tuple[str, ...]


class OidcClient:
    """One relying party (this server) of one provider; safe to share between threads."""

    def __init__(self, settings: OidcSettings, client_secret: str, timeout: float = TIMEOUT_S):
        self.settings = settings
        self._secret = client_secret
        self._http = httpx.Client(timeout=timeout, follow_redirects=False)
        self._lock = threading.Lock()
        self._provider: tuple[float, Provider] | None = None
        self._jwks: list[dict[str, Any]] = []

    def close(self) -> None:
        self._http.close()

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        host = self.settings.host
        try:
            res = self._http.get(url, headers={"accept": "application/json"})
        except httpx.HTTPError as exc:
            raise OperationalError(
                f"the identity provider {host} could not be reached ({what}): "
                f"{type(exc).__name__}; try again later"
            ) from None
        try:
            data = res.json() if res.status_code == 200 else None
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise OperationalError(
                f"the identity provider {host} answered its {what} with HTTP {res.status_code} "
                "and no JSON document; try again later"
            )
        return data

    def provider(self) -> Provider:
        """The provider's endpoints from its discovery document (cached)."""
        with self._lock:
            if self._provider is not None and time.monotonic() < self._provider[0]:
                return self._provider[1]
        issuer = self.settings.issuer
        doc = self._get_json(issuer.rstrip("/") + "/.well-known/openid-configuration", "discovery")
        if doc.get("issuer") != issuer:
            raise OperationalError(
                f"the discovery document of {issuer} names another issuer "
                f"({str(doc.get('issuer'))[:200]!r}); check [server.oidc] issuer"
            )
        try:
            ends = [check_url(doc.get(k), f"discovery {k}") for k in
                    ("authorization_endpoint", "token_endpoint", "jwks_uri")]  # fmt: skip
        except InvalidInputError as exc:
            raise OperationalError(f"the identity provider {issuer}: {exc.message}") from None
        methods = doc.get("code_challenge_methods_supported")
        if isinstance(methods, list) and "S256" not in methods:
            raise OperationalError(f"the identity provider {issuer} does not support PKCE S256")
        auth = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        found = Provider(ends[0], ends[1], ends[2], tuple(str(m) for m in auth))
        with self._lock:
            self._provider = (time.monotonic() + DISCOVERY_TTL_S, found)
        return found

    def begin(self, redirect_url: str, next_path: str) -> tuple[str, Pending]:
        """The URL to send the browser to, and what must match when it comes back."""
        provider = self.provider()
        pending = Pending(
            secrets.token_urlsafe(24),
            secrets.token_urlsafe(24),
            secrets.token_urlsafe(48),
            next_path,
            int(time.time()),
        )
        challenge = _b64(hashlib.sha256(pending.verifier.encode()).digest())
        query = urlencode({
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": redirect_url,
            "scope": " ".join(self.settings.scopes),
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        })  # fmt: skip
        sep = "&" if urlsplit(provider.authorization_endpoint).query else "?"
        return provider.authorization_endpoint + sep + query, pending

    def finish(self, pending: Pending, params: Mapping[str, str], redirect_url: str) -> str:
        """The user name the provider vouches for, once everything that came back checks."""
        if params.get("error"):
            said = str(params.get("error_description") or params["error"])[:200]
            said = "".join(c if c.isprintable() else " " for c in said)
            raise AuthenticationError(f"the identity provider did not sign you in: {said}")
        if not hmac.compare_digest(str(params.get("state", "")), pending.state):
            raise AuthenticationError("the sign-in came back with the wrong state; start again")
        code = str(params.get("code") or "")
        if not code or len(code) > 4096:
            raise AuthenticationError("the identity provider sent no authorization code")
        claims = self.verify(self._exchange(code, pending.verifier, redirect_url), pending.nonce)
        return self.username(claims)

    def _exchange(self, code: str, verifier: str, redirect_url: str) -> str:
        provider = self.provider()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_url,
                "code_verifier": verifier, "client_id": self.settings.client_id}  # fmt: skip
        headers = {"accept": "application/json"}
        if "client_secret_basic" in provider.auth_methods:
            pair = f"{_form(self.settings.client_id)}:{_form(self._secret)}"  # RFC 6749 2.3.1
            headers["authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form["client_secret"] = self._secret
        try:
            res = self._http.post(provider.token_endpoint, data=form, headers=headers)
            body = res.json()
        except httpx.HTTPError as exc:
            raise OperationalError(
                f"the identity provider {self.settings.host} could not be reached (token): "
                f"{type(exc).__name__}; try again later"
            ) from None
        except ValueError:
            body = None
        if res.status_code != 200 or not isinstance(body, dict):
            error = str(body.get("error"))[:100] if isinstance(body, dict) else "no JSON answer"
            raise AuthenticationError(
                f"the identity provider refused the code (HTTP {res.status_code}: {error})"
            )
        token = body.get("id_token")
        if not isinstance(token, str) or not token:
            raise AuthenticationError("the identity provider sent no ID token")
        return token

    def _key(self, kid: str | None, alg: str, refresh: bool) -> Any:
        if refresh or not self._jwks:
            keys = self._get_json(self.provider().jwks_uri, "keys").get("keys")
            self._jwks = [k for k in keys if isinstance(k, dict)] if isinstance(keys, list) else []
        family = "EC" if alg.startswith("ES") else "RSA"
        fits = [k for k in self._jwks if k.get("kty") == family and k.get("use", "sig") == "sig"]
        fits = [k for k in fits if k.get("alg", alg) == alg and kid in (None, k.get("kid"))]
        if len(fits) != 1:
            if not refresh:  # the provider may have rotated its keys
                return self._key(kid, alg, True)
            raise AuthenticationError("the ID token's signing key is not among the provider's")
        try:
            return jwt.PyJWK(fits[0], alg).key
        except jwt.PyJWTError:
            raise AuthenticationError("the provider's signing key cannot be used") from None

    def verify(self, token: str, nonce: str) -> dict[str, Any]:
        """The claims of an ID token whose signature, issuer, audience, times and nonce hold."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthenticationError("the ID token is not a signed JWT") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALGORITHMS:
            raise AuthenticationError(f"the ID token's algorithm {str(alg)[:20]!r} is refused")
        key = self._key(kid if isinstance(kid, str) else None, str(alg), False)
        client_id = self.settings.client_id
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=[str(alg)], audience=client_id,
                issuer=self.settings.issuer, leeway=LEEWAY_S,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )  # fmt: skip
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("the ID token has expired; sign in again") from None
        except jwt.InvalidSignatureError:
            raise AuthenticationError("the ID token's signature does not verify") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationError("the ID token was issued for another client") from None
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"the ID token is not valid: {str(exc)[:200]}") from None
        aud = claims["aud"]
        if (isinstance(aud, list) and len(aud) > 1) or "azp" in claims:
            if claims.get("azp") != client_id:
                raise AuthenticationError("the ID token was issued for another client (azp)")
        if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise AuthenticationError("the ID token's nonce does not match this sign-in")
        return claims

    def username(self, claims: Mapping[str, Any]) -> str:
        """The modelreg user name the claims name (an e-mail only once it is verified)."""
        claim = self.settings.username_claim
        name = claims.get(claim)
        if not isinstance(name, str) or not name.strip():
            raise AuthenticationError(f"the identity provider sent no {claim!r} claim")
        domains = self.settings.allowed_domains
        if claim == "email" or domains:
            email = claims.get("email")
            if not isinstance(email, str) or claims.get("email_verified") is not True:
                raise AuthenticationError("the identity provider sent no verified e-mail address")
            if domains and email.rsplit("@", 1)[-1].lower() not in domains:
                raise AuthenticationError(f"e-mail addresses of {email.rsplit('@', 1)[-1]!r} "
                                          "may not sign in here")  # fmt: skip
        return name.strip()
