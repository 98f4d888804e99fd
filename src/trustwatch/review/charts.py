"""Small server-rendered SVG charts: no JavaScript library, readable without scripts."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
_W, _H = 640, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 120, 12, 28


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1)
    return float(((int(value) // step) + 1) * step)


def _frame(title: str, y_max: float, labels: list[str], body: str, legend: list[str]) -> str:
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {_W} {_H}" role="img" aria-label="{escape(title)}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        y = _TOP + plot_h - plot_h * i / 4
        value = y_max * i / 4
        parts.append(
            f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
            f"{value:g}</text>"
        )
    step = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % step:
            continue
        x = _LEFT + plot_w * (i + 0.5) / max(1, len(labels))
        parts.append(
            f'<text x="{x:.1f}" y="{_H - 8}" text-anchor="middle" class="tick">'
            f"{escape(label)}</text>"
        )
    parts.append(body)
    for i, name in enumerate(legend):
        y = _TOP + 14 * i + 8
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect x="{_W - _RIGHT + 10}" y="{y - 8}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{_W - _RIGHT + 24}" y="{y + 1}" class="legend">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(title: str, labels: list[str], series: dict[str, list[float]]) -> str:
    """One line per series over shared x labels."""
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    y_max = _nice_max(max((v for values in series.values() for v in values), default=0.0))
    n = max(1, len(labels))
    body = []
    for i, values in enumerate(series.values()):
        points = " ".join(
            f"{_LEFT + plot_w * (j + 0.5) / n:.1f},{_TOP + plot_h - plot_h * v / y_max:.1f}"
            for j, v in enumerate(values)
        )
        colour = PALETTE[i % len(PALETTE)]
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
    return _frame(title, y_max, labels, "".join(body), list(series))


def grouped_bar_chart(title: str, groups: dict[str, dict[str, float]], keys: list[str]) -> str:
    """Bars per group (x) with one bar per key, e.g. review outcomes per policy."""
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    y_max = _nice_max(max((v for g in groups.values() for v in g.values()), default=0.0))
    labels = list(groups)
    n = max(1, len(labels))
    slot = plot_w / n
    bar_w = slot * 0.8 / max(1, len(keys))
    body = []
    for gi, name in enumerate(labels):
        for ki, key in enumerate(keys):
            value = groups[name].get(key, 0.0)
            h = plot_h * value / y_max
            x = _LEFT + slot * gi + slot * 0.1 + bar_w * ki
            colour = PALETTE[ki % len(PALETTE)]
            body.append(
                f'<rect x="{x:.1f}" y="{_TOP + plot_h - h:.1f}" width="{bar_w:.1f}"'
                f' height="{h:.1f}" fill="{colour}"><title>{escape(name)} {escape(key)}: '
                f"{value:g}</title></rect>"
            )
    return _frame(title, y_max, labels, "".join(body), keys)


def detector_time_chart(calls: Mapping[str, int], seconds: Mapping[str, float]) -> str:
    """Mean time per call of each detector in the live engine (µs): one labelled horizontal
    bar per detector, slowest first."""
    title = "Detector time per call (µs, live engine)"
    means = sorted(
        ((name, seconds.get(name, 0.0) / n * 1e6) for name, n in calls.items() if n > 0),
        key=lambda kv: kv[1],
        reverse=True,
    )
    label_w, row_h, top = 170, 16, 8
    height = top * 2 + row_h * max(1, len(means))
    bar_max = _W - label_w - 70
    peak = max((v for _, v in means), default=0.0) or 1.0
    parts = [
        f'<svg class="chart" viewBox="0 0 {_W} {height}" role="img" aria-label="{escape(title)}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (name, value) in enumerate(means):
        y = top + row_h * i
        width = bar_max * value / peak
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 11}" text-anchor="end" class="tick">'
            f"{escape(name)}</text>"
            f'<rect x="{label_w}" y="{y + 2}" width="{width:.1f}" height="{row_h - 4}"'
            f' fill="{PALETTE[0]}"><title>{escape(name)} µs per call: {value:.1f}</title></rect>'
            f'<text x="{label_w + width + 4:.1f}" y="{y + 11}" class="tick">{value:,.1f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
