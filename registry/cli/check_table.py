"""The ``table`` format of ``check`` (rich): grouped by license, failures first."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from registry.compliance.model import CheckResult

STYLE = {"fail": "bold red", "review": "yellow", "pass": "green", "n/a": "dim"}
VERDICT_STYLE = {"compliant": "green", "non_compliant": "bold red", "needs_review": "yellow"}


def _console(buf: io.StringIO) -> Any:
    from rich.console import Console

    width = int(os.environ.get("COLUMNS", "0") or 0) or 120
    return Console(
        file=buf, width=width, no_color=bool(os.environ.get("NO_COLOR")), force_terminal=False
    )


def render_table(results: Sequence[CheckResult], many: bool) -> str:
    from rich.table import Table

    from registry.formats import sorted_findings, summary_counts

    buf = io.StringIO()
    console = _console(buf)
    for result in results:
        title = f"{result.model} for {result.org} ({result.use})"
        if result.deployment:
            title = f"deployment {result.deployment}: {title}"
        table = Table(title=title, show_lines=False, expand=False)
        for col in ("license", "rule", "status", "clause", "reason"):
            table.add_column(col, overflow="fold")
        for lic, findings in sorted_findings(result):
            for i, f in enumerate(findings):
                table.add_row(
                    lic if i == 0 else "",
                    f.rule,
                    f"[{STYLE[f.status]}]{f.status}[/]",
                    f.clause,
                    f.reason,
                )
            table.add_section()
        console.print(table)
        console.print(
            f"verdict: [{VERDICT_STYLE[result.verdict]}]{result.verdict}[/]"
            " (not legal advice: a literal reading of the license texts)"
        )
        if result.release is not None:
            console.print(release_line(result.release), markup=False, highlight=False)
    if many:
        c = summary_counts(results)
        console.print(
            f"summary: {len(results)} deployment(s), {c['compliant']} compliant, "
            f"{c['non_compliant']} non_compliant, {c['needs_review']} needs_review"
        )
    return buf.getvalue()


def release_line(rel: dict[str, Any]) -> str:
    """``release: released (#3, approved by carol on ...)`` and the like."""
    state = rel["state"]
    if state == "released":
        text = f"release: released (#{rel['release']}, approved by {rel.get('approved_by')}"
        return text + f" on {rel.get('approved_at')})"
    if state == "pending":
        text = f"release: pending (#{rel['pending']} awaits an approver)"
    elif state == "stale":
        text = f"release: stale (#{rel['release']})"
    else:
        return "release: none (`modelreg release request` asks for one)"
    causes = rel.get("causes") or []
    if causes:
        text += "; changed since approval: " + "; ".join(c["what"] for c in causes)
    return text


def render_history(variant: str, rows: list[dict[str, Any]]) -> str:
    from rich.table import Table

    buf = io.StringIO()
    console = _console(buf)
    table = Table(title=f"checks of {variant}")
    for col in ("id", "checked at", "user", "org", "use", "deployment", "verdict", "policies"):
        table.add_column(col)
    for r in rows:
        digests = r["policy_digests"] or {}
        short = ",".join(sorted(d["sha256"][:8] for d in digests.values()))[:26]
        table.add_row(
            str(r["id"]),
            r["checked_at"],
            r["os_user"] or "",
            r["org"],
            r["use"],
            r["deployment"] or "",
            f"[{VERDICT_STYLE.get(r['verdict'], '')}]{r['verdict']}[/]",
            f"{len(digests)} files ({short}...)",
        )
    console.print(table)
    return buf.getvalue()
