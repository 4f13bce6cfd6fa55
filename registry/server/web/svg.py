"""SVG drawn on the server: the lineage graph and the MAU chart (no script, every text escaped).

Both are plain SVG with presentation attributes and CSS classes from ``static/web.css`` (the
Content-Security-Policy allows no inline style). Every name, license and label goes through
:func:`markupsafe.escape`; node links are built from quoted paths, never from catalog text.
Each chart has a ``<title>`` and the page shows the same figures as a table, for readers
without graphics.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from registry.views.graph import Graph, Node

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 210, 48, 24, 64, 16
MAX_LABEL = 28


def variant_href(name: str) -> str:
    return "/variants/" + quote(name, safe="/@:+=~,")


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _rows(graph: Graph) -> list[list[Node]]:
    depths = sorted({n.depth for n in graph.nodes if n.depth >= 0}, reverse=True)
    rows = [[n for n in graph.nodes if n.depth == d] for d in depths]
    children = [n for n in graph.nodes if n.depth < 0]
    return rows + ([children] if children else [])


def lineage_svg(graph: Graph, title: str) -> Markup:
    rows = _rows(graph)
    width = max(len(r) for r in rows) * (NODE_W + GAP_X) - GAP_X + 2 * PAD
    height = len(rows) * (NODE_H + GAP_Y) - GAP_Y + 2 * PAD
    pos: dict[str, tuple[float, float]] = {}
    for i, row in enumerate(rows):
        row_w = len(row) * (NODE_W + GAP_X) - GAP_X
        x0 = (width - row_w) / 2
        for j, node in enumerate(row):
            pos[node.key] = (x0 + j * (NODE_W + GAP_X), PAD + i * (NODE_H + GAP_Y))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="group" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for child, parent, relation in graph.edges:
        if child not in pos or parent not in pos:
            continue
        cx, cy = pos[child]
        px, py = pos[parent]
        x1, y1 = cx + NODE_W / 2, cy
        x2, y2 = px + NODE_W / 2, py + NODE_H
        out.append(f'<line class="edge" x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" />')
        out.append(
            f'<text class="edge-label" x="{(x1 + x2) / 2:.0f}" y="{(y1 + y2) / 2 + 4:.0f}" '
            f'text-anchor="middle">{escape(relation)}</text>'
        )
    for node in graph.nodes:
        out.append(_node(node, *pos[node.key]))
    out.append("</svg>")
    return Markup("".join(out))  # every text above is escaped


def _node(node: Node, x: float, y: float) -> str:
    classes = ["node"]
    marks = []
    if node.root:
        classes.append("root")
    if node.laundering:
        classes.append("laundering")
        marks.append("laundering")
    if node.unresolved:
        classes.append("unresolved")
        marks.append("unresolved")
    label = escape(_short(node.label))
    second = escape(_short(node.license + (f" \u2014 {', '.join(marks)}" if marks else "")))
    tip = escape(f"{node.label}: {node.license}" + (f" ({', '.join(marks)})" if marks else ""))
    body = (
        f'<g class="{" ".join(classes)}"><title>{tip}</title>'
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="6" />'
        f'<text class="name" x="{x + 8:.0f}" y="{y + 19:.0f}">{label}</text>'
        f'<text class="license" x="{x + 8:.0f}" y="{y + 37:.0f}">{second}</text></g>'
    )
    if not node.link or node.root:
        return body
    return f'<a href="{escape(variant_href(node.key))}">{body}</a>'


def _si(n: int) -> str:
    for size, unit in ((10**9, "B"), (10**6, "M"), (10**3, "K")):
        if n >= size:
            return f"{n // size}{unit}"
    return str(n)


def mau_svg(
    series: list[dict[str, Any]], marks: list[dict[str, str]], threshold: int | None
) -> Markup:
    """Bars of the family's MAU per month, the threshold line, the measured months marked."""
    months = sorted({s["month"] for s in series} | {m["month"] for m in marks})
    if not months:
        return Markup("")
    totals = {s["month"]: s["total"] for s in series}
    # a log scale: a family of a thousand users and one of 700 million on one chart
    values = [v for v in [*totals.values(), threshold or 0] if v > 0] or [1]
    lo_exp = max(int(math.floor(math.log10(min(values)))), 0)
    hi_exp = max(int(math.ceil(math.log10(max(values) * 1.01))), lo_exp + 1)
    left, right, bottom, top_pad, step = 96, 24, 64, 24, 44
    plot_h = 220
    width = left + right + step * len(months)
    height = top_pad + plot_h + bottom

    def y_of(v: float) -> float:
        share = (math.log10(max(v, 10**lo_exp)) - lo_exp) / (hi_exp - lo_exp)
        return float(top_pad + plot_h - plot_h * share)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mau" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="monthly active users">',
        "<title>Monthly active users of the corporate family, by month (log scale)</title>",
        f'<line class="axis" x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" '
        f'y2="{top_pad + plot_h}" />',
    ]
    for exp in range(lo_exp, hi_exp + 1):
        y = y_of(10**exp)
        out.append(
            f'<line class="grid" x1="{left}" y1="{y:.0f}" x2="{width - right}" y2="{y:.0f}" />'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.0f}" text-anchor="end">'
            f"{_si(10**exp)}</text>"
        )
    for i, month in enumerate(months):
        x = left + i * step + step / 2
        if month in totals:
            v = totals[month]
            h = max(top_pad + plot_h - y_of(v), 2)
            out.append(
                f'<rect class="bar" x="{x - 14:.0f}" y="{y_of(v):.0f}" width="28" '
                f'height="{h:.0f}"><title>{escape(month)}: {v:,}</title></rect>'
            )
        out.append(
            f'<text class="tick" x="{x:.0f}" y="{top_pad + plot_h + 16}" text-anchor="end" '
            f'transform="rotate(-45 {x:.0f} {top_pad + plot_h + 16})">{escape(month)}</text>'
        )
    for k, mark in enumerate(marks):
        x = left + months.index(mark["month"]) * step + step / 2
        out.append(
            f'<line class="measured" x1="{x:.0f}" y1="{top_pad}" x2="{x:.0f}" '
            f'y2="{top_pad + plot_h}"><title>{escape(mark["name"])} measures '
            f"{escape(mark['month'])}</title></line>"
            f'<text class="measured-label" x="{x + 3:.0f}" y="{top_pad + 10 + (k % 3) * 12}">'
            f"{escape(mark['policy'])}</text>"
        )
    if threshold:
        y = y_of(threshold)
        out.append(
            f'<line class="threshold" x1="{left}" y1="{y:.0f}" x2="{width - right}" y2="{y:.0f}" />'
            f'<text class="threshold-label" x="{width - right}" y="{y - 5:.0f}" '
            f'text-anchor="end">{threshold / 1e6:,.0f}M</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # every text above is escaped
