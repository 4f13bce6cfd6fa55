"""Variants: register from a manifest, list, show, lineage (tree and link), remove, BOM."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from registry.catalog.listing import VariantFilter, parse_time
from registry.catalog.registration import Registration
from registry.formats.bom_input import bom_to_dict
from registry.identity.roles import Principal
from registry.progress import CollectingProgress
from registry.server.access import READ, Rule, requires
from registry.server.routers.util import if_match, store_for, tagged
from registry.server.schemas.common import (
    DEFAULT_LIMIT,
    ERRORS,
    Cursor,
    Limit,
    Page,
    cursor_as,
    page,
)
from registry.server.schemas.variants import (
    BomOut,
    Lineage,
    LinkIn,
    Registered,
    RegistrationIn,
    VariantDetail,
    VariantSummary,
)

router = APIRouter(tags=["variants"], responses=ERRORS)


# The two hottest reads run on the event loop: a few indexed queries (about a millisecond)
# cost less than the hop to the thread pool, and under load the GIL's hand-offs between many
# pool threads stretch their tail. Everything that may take longer stays in the pool (a list
# filtered by lineage, verification, time or a name pattern).
@router.get("/variants", response_model=Page[VariantSummary])
async def list_variants(
    *,
    request: Request,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    namespace: Annotated[str | None, Query(max_length=255)] = None,
    license: Annotated[
        str | None, Query(max_length=64, description="The expression or one of its AND terms.")
    ] = None,
    source: Annotated[list[str] | None, Query(max_length=100)] = None,
    parent: Annotated[
        str | None, Query(max_length=255, description="Direct children of this variant.")
    ] = None,
    relation: Annotated[
        str | None, Query(max_length=16, description="Made from a parent this way.")
    ] = None,
    created_since: Annotated[
        str | None, Query(max_length=64, description="Registered at or after (ISO 8601).")
    ] = None,
    verified: Annotated[
        bool | None,
        Query(description="true: the latest verification passed; false: none, or it failed."),
    ] = None,
    name: Annotated[
        str | None, Query(max_length=255, description="Names matching this glob (*, ?, [...]).")
    ] = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    """Variants by name, filters combined (AND): what ``modelreg list`` shows."""
    flt = VariantFilter(
        license=license,
        namespace=namespace,
        parent=parent,
        relation=relation,
        created_since=parse_time(created_since, "created_since") if created_since else None,
        verified=verified,
        name_glob=name,
        sources=tuple(source or ()),
    )
    store = store_for(request, who)

    def fetch() -> list[dict[str, Any]]:
        return list(store.variants(flt, after=cursor_as(cursor, str), limit=limit + 1))

    slow = (parent, relation, created_since, verified, name) != (None,) * 5
    items = await run_in_threadpool(fetch) if slow else fetch()
    return page(items, limit, "name")


@router.post("/variants", status_code=201, response_model=Registered)
def add_variant(
    *,
    body: RegistrationIn,
    request: Request,
    who: Annotated[Principal, Depends(requires(Rule("contributor", namespace="body:name")))],
) -> dict[str, Any]:
    """Register a variant from the manifest ``modelreg add`` made where the files are."""
    reg = Registration.from_dict(body.model_dump())
    warnings = CollectingProgress()
    doc = store_for(request, who).register(reg, progress=warnings)
    return {"variant": doc, "warnings": warnings.messages}


@router.get("/variants/{name:path}", response_model=VariantDetail)
async def show_variant(
    *,
    name: str,
    request: Request,
    response: Response,
    who: Annotated[Principal, Depends(requires(READ))],
) -> Any:
    return tagged(request, response, store_for(request, who).describe(name))


@router.delete("/variants/{name:path}", status_code=204)
def remove_variant(
    *,
    name: str,
    request: Request,
    who: Annotated[Principal, Depends(requires(Rule("approver", namespace="path:name")))],
) -> Response:
    store_for(request, who).remove(name, if_match=if_match(request))
    return Response(status_code=204)


@router.get("/lineage/{name:path}", response_model=Lineage)
def show_lineage(
    *, name: str, request: Request, who: Annotated[Principal, Depends(requires(READ))]
) -> Any:
    return store_for(request, who).lineage(name)


@router.post("/lineage", status_code=204)
def link_variants(
    *,
    body: LinkIn,
    request: Request,
    who: Annotated[Principal, Depends(requires(Rule("approver", namespace="body:child")))],
) -> Response:
    """Record that ``child`` was made from ``parent`` (cycles refused)."""
    store_for(request, who).link(body.child, body.parent, body.relation, if_match=if_match(request))
    return Response(status_code=204)


@router.get("/boms/{name:path}", response_model=BomOut)
def bill_of_materials(
    *, name: str, request: Request, who: Annotated[Principal, Depends(requires(READ))]
) -> dict[str, Any]:
    return bom_to_dict(store_for(request, who).bom(name))
