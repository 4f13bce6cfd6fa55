"""``modelreg check``: may this organisation use this model this way? Exit 0, 1 or 3.

The hot path reads the catalog through the raw driver (:mod:`registry.compliance.store`),
never importing SQLAlchemy, so a check stays fast on a large catalog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from registry.cli.context import state
from registry.cli.output import emit, say
from registry.formats import CheckFormat

if TYPE_CHECKING:
    from registry.compliance.model import CheckResult
    from registry.compliance.store import RawDB


def raw_catalog(ctx: typer.Context) -> RawDB:
    """A raw connection to a catalog at head; falls back to the full path to migrate/explain."""
    from registry.compliance.store import open_raw
    from registry.db.schema import HEAD_REVISION
    from registry.errors import DatabaseError

    st = state(ctx)
    url = st.settings().database_url.value
    try:
        return open_raw(url, HEAD_REVISION)
    except DatabaseError:
        st.catalog()  # migrates the default catalog, or raises the precise error
        return open_raw(url, HEAD_REVISION)


def load_policy_set(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from registry.compliance.policies import load_policies

    return load_policies(state(ctx).settings().policy_dirs.value)


def render_table(results: list[CheckResult], many: bool) -> str:
    from registry.cli.check_table import render_table as _render

    return _render(results, many)


def renderer(fmt: CheckFormat):  # type: ignore[no-untyped-def]
    from registry.formats import CHECK_RENDERERS

    if fmt is CheckFormat.table:
        return render_table
    return CHECK_RENDERERS[fmt]


def check(
    ctx: typer.Context,
    variant: Annotated[str | None, typer.Argument(help="The variant to check.")] = None,
    org: Annotated[
        str | None, typer.Option("--org", help="The licensee (default: default_org).")
    ] = None,
    use: Annotated[
        str | None, typer.Option("--use", help="research, internal, service or distribute.")
    ] = None,
    public_name: Annotated[
        str | None, typer.Option("--public-name", help="Name the model is offered under.")
    ] = None,
    purpose: Annotated[
        list[str] | None, typer.Option("--purpose", help="Purpose slug (repeatable).")
    ] = None,
    attest: Annotated[
        list[str] | None,
        typer.Option("--attest", help="agreement-copy, notice-file, built-with or aup."),
    ] = None,
    end_user: Annotated[
        bool, typer.Option("--end-user", help="Receives the model inside another's product.")
    ] = False,
    deployment: Annotated[
        str | None, typer.Option("--deployment", help="Check a registered deployment.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Check every deployment.")] = False,
    history: Annotated[
        str | None,
        typer.Option("--history", metavar="VARIANT", help="List past checks of a variant."),
    ] = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", help="Output format.")] = (
        CheckFormat.table
    ),
) -> None:
    """Check a model's licenses for an organisation and use; exit 0 compliant, 1 non-compliant,
    3 needs review. Not legal advice: a literal reading of the license texts."""
    from registry.errors import InvalidInputError

    modes = [variant is not None, deployment is not None, all_, history is not None]
    if sum(modes) != 1:
        raise InvalidInputError("give exactly one of VARIANT, --deployment NAME, --all, --history")
    if history is not None:
        _history(ctx, history, fmt)
        return
    from registry.compliance.service import (
        CheckRequest,
        all_deployment_requests,
        deployment_request,
        os_user,
        record_check,
        run_check,
    )

    user = os_user()
    if variant is not None:
        org = org or state(ctx).settings().default_org.value
        if not org:
            raise InvalidInputError("--org is required (or set default_org / MODELREG_ORG)")
        if not use:
            raise InvalidInputError("--use is required: research, internal, service or distribute")
        requests = [
            CheckRequest.make(
                variant,
                org,
                use,
                public_name=public_name,
                purposes=purpose or [],
                attest=attest or [],
                end_user=end_user,
                by=user,
            )
        ]
    elif org or use or public_name or purpose or attest or end_user:
        raise InvalidInputError("--org/--use/... describe a VARIANT check, not a deployment")
    policies = load_policy_set(ctx)
    db = raw_catalog(ctx)
    try:
        if deployment is not None:
            requests = [deployment_request(db, deployment)]
        elif all_:
            requests = all_deployment_requests(db)
        results = [run_check(db, policies, req) for req in requests]
        for result in results:
            record_check(db, result, user)
    finally:
        db.close()
    emit(renderer(fmt)(results, all_))
    if all_:
        from registry.formats import summary_counts

        counts = summary_counts(results)
        say(
            f"{len(results)} deployment(s): {counts['compliant']} compliant, "
            f"{counts['non_compliant']} non-compliant, {counts['needs_review']} need review"
        )
    from registry.compliance.model import VERDICT_EXIT, worst_verdict

    code = VERDICT_EXIT[worst_verdict([r.verdict for r in results])]
    if code:
        raise typer.Exit(code)


def _history(ctx: typer.Context, variant: str, fmt: CheckFormat) -> None:
    from registry.compliance.service import history
    from registry.errors import InvalidInputError

    if fmt not in (CheckFormat.table, CheckFormat.json):
        raise InvalidInputError("--history prints table or json")
    db = raw_catalog(ctx)
    try:
        rows = history(db, variant)
    finally:
        db.close()
    if fmt is CheckFormat.json:
        import json

        emit(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from registry.cli.check_table import render_history

    emit(render_history(variant, rows))


def register(app: typer.Typer) -> None:
    app.command("check")(check)
