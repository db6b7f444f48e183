"""Small server-rendered SVG pictures: a fact's values as a chart, an entity's neighbourhood as a graph.

Every string drawn is escaped; colours come from classes in the stylesheet (the pages' CSP allows no inline
style). Each picture has a title and a description for screen readers, and the same data is on the page as text.
"""

from __future__ import annotations

import math
import re
from typing import Any

import networkx as nx
from markupsafe import Markup, escape

DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)
MONTHS = {"day": 1 / 30.4375, "week": 7 / 30.4375, "month": 1.0, "year": 12.0}


def _num(value: float) -> str:
    return f"{value:g}"


def months(time_point: str | None) -> float | None:
    """A time point such as '3 months' or '1 year' in months; None when it is not a plain duration."""
    match = DURATION.match(time_point or "")
    return float(match.group(1)) * MONTHS[match.group(2).lower()] if match else None


def axis(top: float, ticks: int = 5) -> tuple[float, float]:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` intervals, and the axis top."""
    if top <= 0:
        return 1.0, 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 2.5, 5, 10) if f * power >= raw)
    return step, step * math.ceil(top / step - 1e-9)


def value_charts(fact: dict[str, Any]) -> list[Markup]:
    """Charts of a fact's values, one per unit that has two or more values.

    Values at durations (1, 3, 6, 12, 30 months) draw as a curve over time; other comparable values
    (groups, time windows) as horizontal bars.
    """
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for v in fact["values"]:
        if v["unit"] is not None and v["value"] is not None:
            by_unit.setdefault(v["unit"], []).append(v)
    charts = []
    for unit, values in by_unit.items():
        if len(values) < 2:
            continue
        label = f"chart-{len(charts) + 1}"
        if all(months(v["time_point"]) is not None for v in values):
            charts.append(line_chart(fact["statement"], unit, values, label))
        else:
            charts.append(bar_chart(fact["statement"], unit, values, label))
    return charts


def _frame(width: int, height: int, title: str, desc: str, body: list[str], label: str, role: str = "img") -> Markup:
    """An SVG with a title and description; role 'img' for a chart, 'group' when it holds links."""
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="{role}" aria-labelledby="{label}-t {label}-d" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{label}-t">{escape(title)}</title>'
        f'<desc id="{label}-d">{escape(desc)}</desc>{"".join(body)}</svg>'
    )


def shown(v: dict[str, Any]) -> str:
    """A value as written, with its unit when the text is a bare number ('3' of '3 cases')."""
    text = v["as_written"]
    return f"{text} {v['unit']}" if v["unit"] and not re.search(r"[^\d\s.,\u00a0-]", text) else text


def _describe(values: list[dict[str, Any]], label_of) -> str:
    return "; ".join(f"{label_of(v)}: {shown(v)}" for v in values)


def line_chart(statement: str, unit: str, values: list[dict[str, Any]], label: str = "line") -> Markup:
    """Values over time as a line with a dot and its value as written at each time point."""
    width, height, left, right, top, bottom = 560, 280, 56, 48, 20, 52
    points = sorted(((months(v["time_point"]) or 0.0, v) for v in values), key=lambda p: p[0])
    x_max = points[-1][0] or 1.0
    step, y_max = axis(max(v["value"] for _, v in points))
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(t: float) -> float:
        return left + plot_w * t / x_max

    def y(value: float) -> float:
        return top + plot_h * (1 - value / y_max)

    unit_label = escape(unit)
    body = [
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>',
    ]
    for i in range(round(y_max / step) + 1):
        tick = step * i
        body.append(
            f'<line class="grid" x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"{_num(round(tick, 6))}</text>"
        )
    for t, _ in points:
        body.append(f'<text class="tick" x="{x(t):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{_num(t)}</text>')
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(t):.1f},{y(v['value']):.1f}" for i, (t, v) in enumerate(points))
    body.append(f'<path class="series" d="{path}"/>')
    for t, v in points:
        # below and right of each dot: a rising curve leaves that corner empty
        body.append(
            f'<circle class="dot" cx="{x(t):.1f}" cy="{y(v["value"]):.1f}" r="4.5">'
            f"<title>{escape(v['time_point'])}: {escape(shown(v))}</title></circle>"
            f'<text class="point-label" x="{x(t) + 7:.1f}" y="{y(v["value"]) + 17:.1f}">'
            f"{escape(shown(v))}</text>"
        )
    body.append(f'<text class="axis-title" x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">months</text>')
    body.append(
        f'<text class="axis-title" x="14" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2})">{unit_label}</text>'
    )
    desc = _describe([v for _, v in points], lambda v: v["time_point"])
    return _frame(width, height, statement, desc, body, label)


def _bar_label(v: dict[str, Any], index: int) -> str:
    return v["time_point"] or v["population"] or v["measure"] or f"value {index}"


def bar_chart(statement: str, unit: str, values: list[dict[str, Any]], label: str = "bars") -> Markup:
    """Comparable values as horizontal bars, each labelled above its bar, with its value as written."""
    width, left, right, row = 560, 8, 90, 46
    height = row * len(values) + 12
    v_max = axis(max(v["value"] for v in values))[1]
    plot_w = width - left - right
    body = []
    for i, v in enumerate(values):
        top = 6 + i * row
        length = max(1.0, plot_w * v["value"] / v_max)
        name = escape(_bar_label(v, i + 1))
        body.append(
            f'<text class="bar-label" x="{left}" y="{top + 14}">{name}</text>'
            f'<rect class="bar" x="{left}" y="{top + 20}" width="{length:.1f}" height="18" rx="2">'
            f"<title>{name}: {escape(shown(v))}</title></rect>"
            f'<text class="bar-value" x="{left + length + 6:.1f}" y="{top + 34}">'
            f"{escape(shown(v))}</text>"
        )
    desc = f"{unit}: " + "; ".join(f"{_bar_label(v, i + 1)}: {shown(v)}" for i, v in enumerate(values))
    return _frame(width, height, statement, desc, body, label)


def _wrap(label: str, width: int = 20) -> list[str]:
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines[:3] or [label]


def neighbourhood(graph: nx.Graph, center: str, limit: int = 16) -> Markup | None:
    """The entities one fact away from ``center`` around it (a networkx shell layout).

    Each node links to its entity page; each edge, drawn thicker for more facts, links to the list of the
    facts that join the two entities (``#with-{id}`` on the centre's page). None when nothing is linked.
    """
    near = sorted(graph[center].items(), key=lambda item: (-len(item[1]["facts"]), item[0]))[:limit]
    if not near:
        return None
    others = [other for other, _ in near]
    star = nx.Graph()
    star.add_node(center)
    star.add_edges_from((center, other) for other in others)
    pos = nx.shell_layout(star, nlist=[[center], others])
    reach = max(math.hypot(*pos[o]) for o in others) or 1.0
    width, height, radius_x, radius_y = 820, 500, 250, 200
    cx, cy = width / 2, height / 2

    def at(node: str) -> tuple[float, float]:
        x, y = pos[node]
        return cx + radius_x * x / reach, cy + radius_y * y / reach

    body = []
    center_x, center_y = at(center)
    for other, edge in near:
        x, y = at(other)
        count = len(edge["facts"])
        label = graph.nodes[other].get("label") or other
        body.append(
            f'<a href="#with-{escape(other)}" class="edge-link">'
            f"<title>{count} fact{'s' * (count > 1)} linking to {escape(label)}</title>"
            f'<line class="edge w{min(count, 5)}" x1="{center_x:.1f}" y1="{center_y:.1f}" '
            f'x2="{x:.1f}" y2="{y:.1f}"/>'
            f'<text class="edge-count" x="{center_x + 0.62 * (x - center_x):.1f}" '
            f'y="{center_y + 0.62 * (y - center_y) + 4:.1f}" '
            f'text-anchor="middle">{count}</text></a>'
        )
    for other in others:
        body.append(_node(graph, other, *at(other), cx))
    body.append(_node(graph, center, center_x, center_y, cx, central=True))
    title = f"Entities linked to {graph.nodes[center].get('label') or center} by facts"
    desc = "; ".join(f"{graph.nodes[o].get('label') or o} ({len(e['facts'])} facts)" for o, e in near)
    return _frame(width, height, title, desc, body, "neighbourhood", role="group")


def _node(graph: nx.Graph, node: str, x: float, y: float, cx: float, central: bool = False) -> str:
    label = graph.nodes[node].get("label") or node
    lines = _wrap(label, 18 if central else 22)
    if central:
        anchor, tx, ty = "middle", x, y + 34
    elif abs(x - cx) < 30:
        anchor, tx, ty = "middle", x, (y + 24 if y > 250 else y - 12 - 15 * (len(lines) - 1))
    else:
        anchor, tx, ty = ("start", x + 12, y + 4) if x > cx else ("end", x - 12, y + 4)
        ty -= 7.5 * (len(lines) - 1)
    spans = "".join(f'<tspan x="{tx:.1f}" dy="{0 if i == 0 else 15}">{escape(line)}</tspan>' for i, line in enumerate(lines))
    kind = "node center" if central else "node"
    return (
        f'<a href="/entity/{escape(node)}" class="node-link"><title>{escape(label)}</title>'
        f'<circle class="{kind}" cx="{x:.1f}" cy="{y:.1f}" r="{14 if central else 8}"/>'
        f'<text class="node-label" x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}">{spans}</text></a>'
    )
