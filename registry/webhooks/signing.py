"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

Each delivery carries ``webhook-id`` (the message id, the same on every retry),
``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``:
``v1,`` followed by the base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}`` under the
secret. A secret written ``whsec_<base64>`` is those decoded bytes (as Standard Webhooks
libraries generate them); any other secret is its UTF-8 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from registry.errors import InvalidInputError

PREFIX = "whsec_"
MIN_SECRET_BYTES = 16


def secret_key(secret: str) -> bytes:
    text = secret.strip()
    if text.startswith(PREFIX):
        try:
            key = base64.b64decode(text[len(PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInputError("a whsec_ secret must be base64 after its prefix") from None
    else:
        key = text.encode()
    if len(key) < MIN_SECRET_BYTES:
        raise InvalidInputError(
            f"a webhook secret needs at least {MIN_SECRET_BYTES} bytes "
            "(e.g. whsec_ followed by 24 random bytes in base64)"
        )
    return key


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    signed = f"{message_id}.{timestamp}.{body}".encode()
    mac = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


def verify(secret: str, headers_in: dict[str, str], body: str) -> bool:
    """What a receiver does: recompute the signature and compare (any ``v1,`` listed)."""
    expected = signature(
        secret, headers_in["webhook-id"], int(headers_in["webhook-timestamp"]), body
    )
    given = headers_in.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, g) for g in given)
