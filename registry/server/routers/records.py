"""Verifications and smoke runs: what the catalog recorded, and results posted by clients."""

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from registry.catalog.listing import parse_time
from registry.catalog.registration import file_to_dict
from registry.catalog.shards import parse_shard
from registry.catalog.verifications import VerificationOutcome
from registry.errors import InvalidInputError
from registry.identity.roles import Principal
from registry.server.access import READ, Rule, requires
from registry.server.routers.util import store_for
from registry.server.schemas.common import (
    DEFAULT_LIMIT,
    ERRORS,
    Cursor,
    Limit,
    Page,
    cursor_as,
    page,
)
from registry.server.schemas.records import (
    PassingRun,
    RecordedFiles,
    SmokeRecorded,
    SmokeRunIn,
    SmokeRunView,
    SmokeSubject,
    SmokeSummaryRow,
    VerificationIn,
    VerificationRecord,
    VerifySummaryRow,
)
from registry.smoke.result_json import result_from_dict

router = APIRouter(tags=["verification and smoke"], responses=ERRORS)
MAX_NAMES = 1000


Names = Annotated[list[str] | None, Query(max_length=MAX_NAMES)]


Shard = Annotated[
    str | None,
    Query(max_length=16, description="With all=true: only the variants of shard K/N."),
]
Since = Annotated[
    str | None, Query(max_length=64, description="Results older than this count as none.")
]


def by_names_or_all(
    fetch: Callable[..., list[Any]],
    names: list[str] | None,
    all_: bool,
    limit: int,
    cursor: Any,
    shard: str | None = None,
) -> tuple[list[Any], int]:
    """Named variants (one page, as given) or a keyset page of all (of a shard):
    (found, page size)."""
    if bool(names) == all_:
        raise InvalidInputError("give one or more `name` parameters, or all=true")
    if not all_:
        if shard is not None:
            raise InvalidInputError("shard goes with all=true")
        found = fetch(names, False)
        return found, len(found)
    part = parse_shard(shard) if shard is not None else None
    return fetch([], True, shard=part, after=cursor_as(cursor, str), limit=limit + 1), limit


def _since(since: str | None) -> dt.datetime | None:
    return parse_time(since, "since") if since else None


@router.get("/recorded-files", response_model=Page[RecordedFiles])
def recorded_files(
    *,
    request: Request,
    name: Names = None,
    all: bool = False,
    shard: Shard = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    """What the catalog holds about variants' files, for a client to verify against."""
    fetch = store_for(request, who).recorded_files
    found, size = by_names_or_all(fetch, name, all, limit, cursor, shard)
    items = [
        {"name": r.name, "source_uri": r.source_uri, "files": [file_to_dict(f) for f in r.files]}
        for r in found
    ]
    return page(items, size, "name")


# on the event loop, as a single check is (see routers/compliance.py): one insert and an
# append to the audit trail
@router.post("/verifications", status_code=201, response_model=VerificationRecord)
async def record_verification(
    *,
    body: VerificationIn,
    request: Request,
    who: Annotated[Principal, Depends(requires(Rule("contributor", namespace="body:name")))],
) -> dict[str, Any]:
    """Record what a verification made where the files are found."""
    outcome = VerificationOutcome.from_dict(body.model_dump())
    return store_for(request, who).record_verification(outcome)


@router.get("/verifications/summary", response_model=Page[VerifySummaryRow])
def verification_summary(
    *,
    request: Request,
    since: Since = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    """The latest verification of every variant by name, from every machine and shard."""
    rows = store_for(request, who).verify_summary(
        _since(since), after=cursor_as(cursor, str), limit=limit + 1
    )
    return page(list(rows), limit, "name")


@router.get("/verifications", response_model=Page[VerificationRecord])
def list_verifications(
    *,
    request: Request,
    variant: Annotated[str, Query(max_length=255)],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    """A variant's verifications, newest first."""
    items = store_for(request, who).verifications(
        variant, after=cursor_as(cursor, int), limit=limit + 1
    )
    return page(items, limit, "id")


@router.get("/smoke-subjects", response_model=Page[SmokeSubject])
def smoke_subjects(
    *,
    request: Request,
    name: Names = None,
    all: bool = False,
    shard: Shard = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    """What a smoke run of each variant loads (content digest, directories)."""
    fetch = store_for(request, who).smoke_subjects
    found, size = by_names_or_all(fetch, name, all, limit, cursor, shard)
    return page([asdict(s) for s in found], size, "name")


@router.get("/smoke-runs/passing", response_model=PassingRun)
def passing_run(
    *,
    request: Request,
    digest: Annotated[str, Query(max_length=64)],
    device_type: Annotated[str, Query(max_length=16)],
    dtype: Annotated[str, Query(max_length=16)],
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, bool]:
    """Whether this content already passed on this device type and dtype."""
    return {"passed": store_for(request, who).has_passing_run(digest, device_type, dtype)}


@router.post("/smoke-runs", status_code=201, response_model=SmokeRecorded)
def record_smoke_run(
    *,
    body: SmokeRunIn,
    request: Request,
    who: Annotated[Principal, Depends(requires(Rule("contributor", namespace="body:name")))],
) -> dict[str, Any]:
    """Record a smoke run made where the checkpoint is; drift is judged here."""
    result = result_from_dict(body.result.model_dump())
    run_id, verdict = store_for(request, who).record_smoke(body.name, result, body.accept_drift)
    return {
        "run_id": run_id,
        "status": verdict.status,
        "reason": verdict.reason,
        "reference_run_id": verdict.reference_run_id,
        "drift": verdict.drift,
    }


@router.get("/smoke-runs/summary", response_model=Page[SmokeSummaryRow])
def smoke_summary(
    *,
    request: Request,
    since: Since = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    """The latest smoke run of every variant by name, from every machine and shard."""
    rows = store_for(request, who).smoke_summary(
        _since(since), after=cursor_as(cursor, str), limit=limit + 1
    )
    return page(list(rows), limit, "name")


@router.get("/smoke-runs", response_model=Page[SmokeRunView])
def list_smoke_runs(
    *,
    request: Request,
    variant: Annotated[str, Query(max_length=255)],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    who: Annotated[Principal, Depends(requires(READ))],
) -> dict[str, Any]:
    """A variant's smoke runs, newest first."""
    items = store_for(request, who).smoke_runs(
        variant, after=cursor_as(cursor, int), limit=limit + 1
    )
    return page(items, limit, "id")
