"""Charts drawn on the server as SVG: no script, no library in the browser, and a table under each."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH = 600
LABEL_WIDTH = 72
ROW_HEIGHT = 22
BAR_HEIGHT = 14


def _svg(height: int, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def stacked_bars(title: str, rows: Sequence[tuple[str, Sequence[tuple[str, int]]]]) -> Markup:
    """One horizontal bar per row, split into its parts in proportion (each part: CSS class, count)."""
    span = WIDTH - LABEL_WIDTH - 8
    body: list[str] = []
    for i, (label, parts) in enumerate(rows):
        y = i * ROW_HEIGHT
        body.append(f'<text x="0" y="{y + 13}" class="lbl">{escape(label)}</text>')
        total = sum(n for _, n in parts)
        x = float(LABEL_WIDTH)
        for css, n in parts:
            if not total or not n:
                continue
            w = span * n / total
            body.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{BAR_HEIGHT}" class="{css}">'
                        f"<title>{n}</title></rect>")
            x += w
        if not total:
            body.append(f'<text x="{LABEL_WIDTH}" y="{y + 13}" class="lbl muted">0</text>')
    return _svg(max(ROW_HEIGHT, len(rows) * ROW_HEIGHT), title, body)


def column_bars(title: str, points: Sequence[tuple[str, int]], height: int = 150) -> Markup:
    """Vertical bars with their value above and their label below (e.g. reports per week)."""
    top, bottom = 16, 20
    plot = height - top - bottom
    peak = max((v for _, v in points), default=0) or 1
    step = WIDTH / max(len(points), 1)
    bar = step * 0.6
    body: list[str] = [f'<line x1="0" x2="{WIDTH}" y1="{top + plot}" y2="{top + plot}" class="axis"/>']
    for i, (label, value) in enumerate(points):
        h = plot * value / peak
        x = i * step + (step - bar) / 2
        y = top + plot - h
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" class="bar"/>')
        body.append(f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" class="val">{value}</text>')
        body.append(f'<text x="{x + bar / 2:.1f}" y="{height - 5}" class="lbl mid">{escape(label)}</text>')
    return _svg(height, title, body)
