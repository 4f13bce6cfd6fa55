"""Rendering pages: the Jinja2 environment (autoescaping on) and the pages' headers.

Every page is complete HTML that works without JavaScript. Its Content-Security-Policy
allows no script at all, styles and images from this server only, forms posting to this
server only, and no framing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from registry.server.web.markdown import render_card
from registry.server.web.svg import variant_href

HERE = Path(__file__).parent
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def org_href(name: str) -> str:
    return "/orgs/" + quote(name, safe="/@:+=~,")


def fmt_int(value: Any) -> str:
    return "" if value is None else f"{int(value):,}"


def fmt_bytes(value: Any) -> str:
    n = float(value or 0)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def query(params: dict[str, Any], **changes: Any) -> str:
    """``?a=1&b=2`` of the current filters with some changed (empty values left out)."""
    merged = {**params, **changes}
    kept = {k: v for k, v in merged.items() if v not in (None, "")}
    return "?" + urlencode(kept) if kept else "?"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        {"int": fmt_int, "bytes": fmt_bytes, "markdown": render_card, "short": lambda s: s[:12]}
    )
    env.globals.update({"variant_href": variant_href, "org_href": org_href, "query": query})
    return env


def page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    viewer = getattr(request.state, "viewer", None)
    html = (
        environment()
        .get_template(template)
        .render(request_path=request.url.path, viewer=viewer, **context)
    )
    return HTMLResponse(html, status, headers={"content-security-policy": PAGE_CSP})
