"""The body of ``modelreg check``: options in, document on stdout, exit code out.

The catalog is read through the raw driver (:mod:`registry.compliance.store`) without
importing SQLAlchemy, which would cost more than the whole check on a slow machine.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from registry.errors import InvalidInputError

if TYPE_CHECKING:
    from registry.compliance.model import CheckResult
    from registry.config import Settings
    from registry.store.interface import Store

FORMATS = ("table", "json", "sarif", "junit")


@dataclass
class CheckOptions:
    variant: str | None = None
    org: str | None = None
    use: str | None = None
    public_name: str | None = None
    purposes: Sequence[str] = field(default_factory=list)
    attest: Sequence[str] = field(default_factory=list)
    end_user: bool = False
    deployment: str | None = None
    all: bool = False
    history: str | None = None
    format: str = "table"
    require_release: bool = False


def render(fmt: str, results: list[CheckResult], many: bool) -> str:
    from registry.formats import CHECK_RENDERERS, CheckFormat

    if fmt == "table":
        from registry.cli.check_table import render_table

        return render_table(results, many)
    return CHECK_RENDERERS[CheckFormat(fmt)](results, many)


def _write(out: TextIO, text: str) -> None:
    """Write to sys.stdout or sys.stderr as they are now (CliRunner swaps them)."""
    out.write(text if text.endswith("\n") else text + "\n")
    out.flush()


def execute(opts: CheckOptions, settings: Settings, store: Store) -> int:
    """Run the check(s), print the document on stdout, return the exit code (0, 1 or 3)."""
    if opts.format not in FORMATS:
        raise InvalidInputError(f"unknown format {opts.format!r}; use {', '.join(FORMATS)}")
    modes = [opts.variant is not None, opts.deployment is not None, opts.all, opts.history]
    if sum(1 for m in modes if m) != 1:
        raise InvalidInputError("give exactly one of VARIANT, --deployment NAME, --all, --history")
    if opts.history is not None:
        return _history(opts, store)
    if opts.require_release and opts.variant is not None:
        raise InvalidInputError("--require-release applies to --deployment NAME or --all")
    from registry.compliance.model import VERDICT_EXIT, worst_verdict
    from registry.compliance.service import CheckSpec

    spec = CheckSpec(
        variant=opts.variant,
        org=(opts.org or settings.default_org.value) if opts.variant is not None else opts.org,
        use=opts.use,
        public_name=opts.public_name,
        purposes=tuple(opts.purposes),
        attest=tuple(opts.attest),
        end_user=opts.end_user,
        deployment=opts.deployment,
        all=opts.all,
    ).validate()
    results = store.check(spec)
    _write(sys.stdout, render(opts.format, results, opts.all))
    if opts.all:
        from registry.formats import summary_counts

        c = summary_counts(results)
        _write(
            sys.stderr,
            f"{len(results)} deployment(s): {c['compliant']} compliant, "
            f"{c['non_compliant']} non-compliant, {c['needs_review']} need review",
        )
    if opts.require_release:
        return release_exit(results)
    return VERDICT_EXIT[worst_verdict([r.verdict for r in results])]


def release_exit(results: list[CheckResult]) -> int:
    """``--require-release``: 0 only when every deployment has a fresh approved release and
    a verdict an approver could sign off (compliant, or needs review: the approval is that
    review); 1 otherwise, each reason on stderr."""
    code = 0
    for r in results:
        state = (r.release or {}).get("state", "none")
        if state != "released":
            _write(sys.stderr, f"deployment {r.deployment} is not released (release: {state})")
            code = 1
        elif r.verdict == "non_compliant":
            _write(sys.stderr, f"deployment {r.deployment} is released but now non-compliant")
            code = 1
    return code


def _history(opts: CheckOptions, store: Store) -> int:
    if opts.format not in ("table", "json"):
        raise InvalidInputError("--history prints table or json")
    assert opts.history is not None
    rows = store.check_history(opts.history)
    if opts.format == "json":
        import json

        _write(sys.stdout, json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    from registry.cli.check_table import render_history

    _write(sys.stdout, render_history(opts.history, rows))
    return 0
