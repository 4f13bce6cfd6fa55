"""Model cards as sanitised Markdown: CommonMark without raw HTML, only safe links.

A card is whatever its author wrote. It is rendered with markdown-it-py (already installed
with rich) in CommonMark mode with raw HTML off, so ``<script>`` and ``<img onerror=...>`` are
shown as text; links are kept only for ``http``, ``https`` and ``mailto`` URLs and paths
without a scheme (``javascript:``, ``data:``, ``vbscript:``, ``file:`` and the rest become
plain text), open without referrer, images are not loaded (their alt text is shown), and
headings start at ``h3`` (the card sits under the page's own headings). The
Content-Security-Policy of the pages forbids scripts anyway; this is the first line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from markupsafe import Markup

_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = ("http", "https", "mailto")
MAX_CHARS = 200_000


def safe_link(url: str) -> bool:
    found = _SCHEME.match(url)
    if found is None:
        return not url.strip().startswith("//") and not any(ord(c) < 32 for c in url)
    return found.group(1).lower() in SAFE_SCHEMES


@lru_cache(maxsize=1)
def _renderer() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")
    md.validateLink = safe_link  # type: ignore[method-assign]

    def link_open(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
        return str(renderer.renderToken(tokens, idx, options, env))

    def heading(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        # the card sits under the page's own h1 and h2: its headings start at h3
        level = min(int(tokens[idx].tag[1]) + 2, 6)
        tokens[idx].tag = f"h{level}"
        return str(renderer.renderToken(tokens, idx, options, env))

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("heading_open", heading)
    md.add_render_rule("heading_close", heading)
    return md


def render_card(text: str | None) -> Markup:
    """The card's Markdown as safe HTML (empty for no card)."""
    if not text:
        return Markup("")
    if text.startswith("---"):  # the YAML front matter is metadata, not prose
        end = text.find("\n---", 3)
        if end != -1:
            text = text[end + 4 :]
    return Markup(_renderer().render(text[:MAX_CHARS]))  # raw HTML is off: the text is escaped
