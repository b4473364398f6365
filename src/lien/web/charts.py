"""Charts as SVG drawn on the server: no script, no network, readable when printed.

Every function returns markup (escaped labels, colours from CSS classes ``s0``..``s5``, so the
page's stylesheet decides them and the Content-Security-Policy needs no inline style). The
same charts go inline into the monthly report.
"""
from __future__ import annotations

import math
from html import escape
from typing import Any, Sequence

from markupsafe import Markup

Series = tuple[str, Sequence[float | None]]

#: the colours of the series classes, written as attributes too (the page's CSS may override
#: them; a renderer that applies no CSS to SVG, such as WeasyPrint for --pdf, still has them)
PALETTE = {"s0": "#2f6f5e", "s1": "#e0a030", "s2": "#5b7fc7", "s3": "#b4467a", "s4": "#7a8b3a", "s5": "#8c8c8c",
           "l0": "#c9c5ba", "l1": "#8fb3e0", "l2": "#e0a030", "l3": "#2f6f5e", "empty": "#efede7"}
INK, GRID, TARGET = "#7a7f87", "#ebe9e3", "#b42318"


def _fill(cls: str) -> str:
    return f'class="{cls}" fill="{PALETTE.get(cls, "#888")}"'


def _line(cls: str) -> str:
    return f'class="ln {cls}" fill="none" stroke="{PALETTE.get(cls, "#888")}" stroke-width="2.2"'


def _nice(v: float) -> float:
    """A round axis maximum at or above ``v`` whose quarters are round too."""
    if v <= 0:
        return 4.0
    q = v / 4
    exp = 10 ** math.floor(math.log10(q))
    for m in (1, 2, 2.5, 5, 10):
        if m * exp >= q:
            step = m * exp
            break
    if step < 1 and v >= 2:
        step = 1.0
    return step * 4


def _fmt(v: float) -> str:
    return f"{v:.0f}" if abs(v - round(v)) < 1e-9 or abs(v) >= 10 else f"{v:.1f}"


def _frame(width: int, height: int, title: str, body: list[str], legend: Sequence[str] = (),
           classes: Sequence[str] | None = None) -> Markup:
    leg = []
    x = 8
    for i, name in enumerate(legend):
        leg.append(f'<rect x="{x}" y="6" width="12" height="12" rx="2" {_fill(classes[i] if classes else f"s{i}")}/>'
                   f'<text x="{x + 17}" y="16" class="lg" font-size="11" fill="#3d4552">{escape(name)}</text>')
        x += 30 + int(len(name) * 6.6)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(leg)}{"".join(body)}</svg>')


def _axes(width: int, height: int, top: float, ymax: float, left: int, bottom: int, unit: str) -> list[str]:
    out = []
    plot_h = height - top - bottom
    for i in range(5):
        v = ymax * i / 4
        y = height - bottom - plot_h * i / 4
        out.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid" stroke="{GRID}"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" class="ax" text-anchor="end" font-size="10" fill="{INK}">'
                   f'{escape(_fmt(v) + unit)}</text>')
    return out


def _xlabels(labels: Sequence[str], xs: Sequence[float], height: int, bottom: int, width: int) -> list[str]:
    """At most one label per ~80 units (the first and the last always), never cut at the edges."""
    n = len(labels)
    longest = max((len(str(x)) for x in labels), default=1)
    step = max(1, math.ceil(n / max(2, (width - 60) // max(60, longest * 7))))
    keep = [i for i in range(n) if i % step == 0]
    if n and keep[-1] != n - 1:
        if keep and (n - 1 - keep[-1]) < step * 0.7:
            keep.pop()
        keep.append(n - 1)
    out = []
    for i in keep:
        anchor = "start" if i == 0 and n > 1 and xs[0] - longest * 3 < 40 else \
                 "end" if i == n - 1 and n > 1 and xs[-1] + longest * 3 > width else "middle"
        out.append(f'<text x="{xs[i]:.1f}" y="{height - bottom + 16}" class="ax" text-anchor="{anchor}" '
                   f'font-size="10" fill="{INK}">'
                   f'{escape(str(labels[i]))}</text>')
    return out


def bars(labels: Sequence[str], series: Sequence[Series], *, title: str = "", stacked: bool = False,
         unit: str = "", width: int = 640, height: int = 240, ymax: float | None = None,
         classes: Sequence[str] | None = None) -> Markup:
    """Vertical bars per label: several series side by side, or stacked."""
    left, bottom, top = 44, 24, 30 if len(series) > 1 else 14
    n = max(1, len(labels))
    vals = [[float(v or 0) for v in s[1]] for s in series]
    peak = max([sum(col) for col in zip(*vals)] if stacked and vals else [max(v, default=0) for v in vals] or [0])
    ymax = ymax or _nice(peak)
    plot_w, plot_h = width - left - 8, height - top - bottom
    slot = plot_w / n
    body = _axes(width, height, top, ymax, left, bottom, unit)
    cls = list(classes or [f"s{j}" for j in range(len(series))])
    xs = []
    for i in range(n):
        x0 = left + i * slot
        xs.append(x0 + slot / 2)
        base = 0.0
        k = len(series)
        bw = slot * 0.7 / (1 if stacked else k)
        for j, v in enumerate(vals):
            val = v[i] if i < len(v) else 0.0
            h = plot_h * val / ymax if ymax else 0
            if stacked:
                x, y = x0 + slot * 0.15, height - bottom - plot_h * base / ymax - h
                base += val
            else:
                x, y = x0 + slot * 0.15 + j * bw, height - bottom - h
            if h > 0:
                body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{h:.1f}" {_fill(cls[j])}>'
                            f'<title>{escape(str(labels[i]))} · {escape(series[j][0])}: {escape(_fmt(val) + unit)}'
                            f'</title></rect>')
    body += _xlabels([str(x) for x in labels], xs, height, bottom, width)
    return _frame(width, height, title, body, [s[0] for s in series] if len(series) > 1 else (), cls)


def lines(labels: Sequence[str], series: Sequence[Series], *, title: str = "", unit: str = "",
          width: int = 640, height: int = 240, ymax: float | None = None,
          target: float | None = None, target_label: str = "") -> Markup:
    """Lines over ordered labels (months); gaps where a value is missing; an optional target line."""
    left, bottom, top = 44, 24, 30 if len(series) > 1 else 14
    n = max(1, len(labels))
    peak = max([float(v) for s in series for v in s[1] if v is not None] + [target or 0, 0])
    ymax = ymax or _nice(peak)
    plot_w, plot_h = width - left - 16, height - top - bottom
    xs = [left + 8 + (plot_w * i / (n - 1) if n > 1 else plot_w / 2) for i in range(n)]
    body = _axes(width, height, top, ymax, left, bottom, unit)

    def y(v: float) -> float:
        return height - bottom - plot_h * min(float(v), ymax) / ymax

    if target is not None:
        ty = y(target)
        body.append(f'<line x1="{left}" x2="{width - 8}" y1="{ty:.1f}" y2="{ty:.1f}" class="target" '
                    f'stroke="{TARGET}" stroke-dasharray="5 4" stroke-width="1.2"/>'
                    f'<text x="{width - 10}" y="{ty - 4:.1f}" class="ax" text-anchor="end" font-size="10" fill="{INK}">'
                    f'{escape(target_label)}</text>')
    for j, (name, values) in enumerate(series):
        seg: list[str] = []
        for i, v in enumerate(values):
            if v is None:
                if len(seg) > 1:
                    body.append(f'<polyline points="{" ".join(seg)}" {_line(f"s{j}")}/>')
                seg = []
                continue
            seg.append(f"{xs[i]:.1f},{y(v):.1f}")
            body.append(f'<circle cx="{xs[i]:.1f}" cy="{y(v):.1f}" r="3" {_fill(f"s{j}")}><title>'
                        f'{escape(str(labels[i]))} · {escape(name)}: {escape(_fmt(float(v)) + unit)}</title></circle>')
        if len(seg) > 1:
            body.append(f'<polyline points="{" ".join(seg)}" {_line(f"s{j}")}/>')
    body += _xlabels([str(x) for x in labels], xs, height, bottom, width)
    return _frame(width, height, title, body, [s[0] for s in series] if len(series) > 1 else ())


def parts(values: Sequence[tuple[str, float, float]], *, title: str = "", width: int = 640, height: int = 26) -> Markup:
    """One horizontal bar split into named parts (a score and where its points come from);
    ``values``: (name, points, the part's maximum); the whole bar is the sum of the maxima."""
    total = sum(m for _, _, m in values) or 1.0
    x, body = 0.0, []
    for j, (name, pts, mx) in enumerate(values):
        w_max = width * mx / total
        w = width * max(0.0, min(pts, mx)) / total
        body.append(f'<rect x="{x:.1f}" y="0" width="{w_max:.1f}" height="{height}" {_fill("empty")}/>')
        if w > 0:
            body.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" {_fill(f"s{j}")}>'
                        f'<title>{escape(name)}: {escape(_fmt(pts))} / {escape(_fmt(mx))}</title></rect>')
        x += w_max
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{height}" class="sep" stroke="#fff" stroke-width="2"/>')
    return Markup(f'<svg class="chart parts" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
                  f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="none"><title>{escape(title)}</title>'
                  f'{"".join(body)}</svg>')


def meter(value: float | None, maximum: float = 100.0, *, width: int = 90, height: int = 10) -> Markup:
    """A small bar for a number in a table cell (a score out of 100)."""
    v = 0.0 if value is None else max(0.0, min(float(value), maximum))
    w = width * v / maximum if maximum else 0
    return Markup(f'<svg class="meter" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'aria-hidden="true"><rect width="{width}" height="{height}" rx="3" {_fill("empty")}/>'
                  f'<rect width="{w:.1f}" height="{height}" rx="3" {_fill("s0")}/></svg>')


def spark(values: Sequence[float | None], *, width: int = 120, height: int = 28, ymax: float | None = None) -> Markup:
    """A sparkline (a channel's activity over months)."""
    vs = [float(v or 0) for v in values]
    top = ymax or max(vs + [1.0])
    n = len(vs)
    if n == 0:
        return Markup("")
    xs = [2 + (width - 4) * i / max(1, n - 1) for i in range(n)]
    pts = " ".join(f"{x:.1f},{height - 2 - (height - 4) * v / top:.1f}" for x, v in zip(xs, vs))
    return Markup(f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'aria-hidden="true"><polyline points="{pts}" {_line("s0")}/></svg>')


def as_series(rows: Sequence[dict[str, Any]], key: str) -> list[Any]:
    return [r.get(key) for r in rows]
