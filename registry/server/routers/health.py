"""``/healthz`` (the process answers) and ``/readyz`` (the database answers, schema at head)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from registry.server.access import PUBLIC, requires
from registry.server.routers.util import store_for
from registry.server.schemas.common import ErrorDoc
from registry.server.schemas.identity import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(*, who: Annotated[None, Depends(requires(PUBLIC))]) -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=Health, responses={503: {"model": ErrorDoc}})
def readyz(
    *,
    request: Request,
    who: Annotated[None, Depends(requires(PUBLIC))],
) -> dict[str, str]:
    return {"status": "ready", "revision": store_for(request, None).ready()}
