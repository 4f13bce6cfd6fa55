"""Small helpers the routers share: the request's store, ETags, conditional reads."""

from typing import Any

from fastapi import Request, Response

from registry.catalog.versions import etag
from registry.identity.roles import Principal
from registry.server.state import server_state
from registry.store.local import LocalStore


def store_for(request: Request, who: Principal | None) -> LocalStore:
    return server_state(request).store(who, getattr(request.state, "request_id", None))


def tagged(request: Request, response: Response, doc: Any) -> Any:
    """Set the document's ETag; answer 304 when the client already holds that version."""
    tag = etag(doc)
    if request.headers.get("if-none-match", "").strip() == tag:
        return Response(status_code=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return doc


def if_match(request: Request) -> str | None:
    return request.headers.get("if-match")
