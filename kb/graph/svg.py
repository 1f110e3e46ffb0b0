"""Server-side SVG pictures of viewpoint graphs, drawn by kb itself (no JavaScript).

Layout: networkx.spring_layout with a fixed seed over the nodes in sorted order, so the same data
always gives the same picture. Edge weights steer it so that the fault lines show: a "supports"
stance pulls a person hard towards the claim, "mixed" less, "opposes" barely; people who agree
(positive score) pull together. People who disagree therefore end up on opposite sides of the
claims they split on.

Shapes and styles (the legend in templates/graph/_macros.html shows the same):
- person: a circle with the camp number inside (camp colour as the ring); claim: a square;
- stance supports: green, solid; opposes: red, dashed; mixed: amber, dotted;
- claim relation supports: blue, dash-dot, with an arrow; contradicts: purple, long dashes,
  with a bar at the end.

Labels: at most LABELS (the caller may ask for fewer) are drawn, the centre's first and then
the most connected nodes', each on a white halo and placed by kb.graph.labels where it overlaps
no other label; the rest keep their text as the node's <title> (hover, screen readers).

Every label and attribute goes through xml.sax.saxutils escaping; every node is an <a href> to
its page. Presentation attributes only (no style attributes), so a strict CSP allows it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import cast
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import numpy as np

from kb.graph import labels as lb
from kb.graph.agreement import Agreement
from kb.vocabulary import positions

# A node of the viewpoint graph: ("person", id) or ("claim", id) (kb.graph.viewpoint).
Node = tuple[str, int]

LAYOUT_SEED = 1729
WIDTH, HEIGHT = 1000, 680
MARGIN = 60
PERSON_R = 17
CLAIM_SIZE = 13
Box = tuple[float, float, float, float]  # left, right, top, bottom around a node's centre
LABELS = 16
"""Most node labels drawn in one picture; the rest keep their text as a <title>."""
PERSON_FONT, CLAIM_FONT = 14, 12


def _stance_label(position: str) -> str:
    """The legend's words for a stance edge: "✓ supports (stance)"."""
    return f"{positions(position).symbol} {position} (stance)"


EDGE_STYLE: dict[str, dict[str, str]] = {
    # kind/position -> stroke, dasharray, label
    "supports": {"stroke": "#1a7f4b", "dash": "", "label": _stance_label("supports")},
    "opposes": {"stroke": "#b3261e", "dash": "7 4", "label": _stance_label("opposes")},
    "mixed": {"stroke": "#8a5a00", "dash": "2 3", "label": _stance_label("mixed")},
    "rel-supports": {"stroke": "#1f5fbf", "dash": "10 4 2 4", "label": "claim supports claim"},
    "rel-contradicts": {"stroke": "#6d28d9", "dash": "14 5", "label": "claim contradicts claim"},
}
CAMP_COLOURS = ("#1f5fbf", "#c2410c", "#0f766e", "#7c3aed", "#a16207", "#be185d", "#4d7c0f")
NO_CAMP = "#8b93a1"
CAMP_SHAPES = ("circle", "square", "triangle", "diamond")
"""The opinion map's marks: a camp's shape as well as its colour (colour-blind readers)."""
LAYOUT_WEIGHT = {
    "supports": 1.0,
    "mixed": 0.35,
    "opposes": 0.06,
    "rel-supports": 0.45,
    "rel-contradicts": 0.05,
}


def camp_colour(camp: int | None) -> str:
    if not camp:
        return NO_CAMP
    return CAMP_COLOURS[(camp - 1) % len(CAMP_COLOURS)]


def camp_shape(camp: int | None) -> str:
    return CAMP_SHAPES[(camp - 1) % len(CAMP_SHAPES)] if camp else "circle"


def style_key(data: Mapping[str, object]) -> str:
    if data.get("kind") == "relation":
        return f"rel-{data['position']}"
    return str(data["position"])


EGO_ROUNDS = 50


def layout(
    g: nx.MultiDiGraph,
    agreement: Agreement | None = None,
    seed: int = LAYOUT_SEED,
    rounds: int = 200,
) -> dict[tuple[str, int], tuple[float, float]]:
    """Deterministic positions in [0, 1] x [0, 1] for every node of `g`, after `rounds` of
    the spring layout. A neighbourhood (about 40 nodes) settles in EGO_ROUNDS as well as the
    map does in 200, and it is drawn on every person's and claim's first visit."""
    h: nx.Graph[tuple[str, int]] = nx.Graph()
    h.add_nodes_from(sorted(g.nodes))
    for u, v, data in g.edges(data=True):
        w = LAYOUT_WEIGHT.get(style_key(data), 0.3)
        h.add_edge(u, v, weight=max(w, h.get_edge_data(u, v, {}).get("weight", 0)))
    if agreement is not None:
        people = [n[1] for n in h.nodes if n[0] == "person"]
        for pair in agreement.among(people):
            if pair.score > 0:
                h.add_edge(("person", pair.a), ("person", pair.b), weight=0.6 * pair.score)
    if len(h) == 0:
        return {}
    if len(h) == 1:
        return {next(iter(h.nodes)): (0.5, 0.5)}
    k = 2.0 / math.sqrt(len(h))
    raw = nx.spring_layout(h, seed=seed, weight="weight", k=k, iterations=rounds)
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx, sy = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    return {n: (float((p[0] - x0) / sx), float((p[1] - y0) / sy)) for n, p in raw.items()}


def _declutter(
    xy: dict[tuple[str, int], tuple[float, float]],
    boxes: dict[tuple[str, int], tuple[float, float, float, float]],
    width: int,
    height: int,
    rounds: int = 80,
) -> dict[tuple[str, int], tuple[float, float]]:
    """Nudge nodes apart until their label boxes stop overlapping (or `rounds` run out).

    boxes[n] = (left, right, top, bottom) offsets of the node's box (node and label) from its
    position. Each round pushes every overlapping pair apart along the axis where they overlap
    least, half each way; deterministic, and vectorised so 600 nodes stay quick.
    """
    nodes = sorted(xy)
    if len(nodes) < 2:
        return xy
    pos = np.array([xy[n] for n in nodes], dtype=float)
    off = np.array([boxes[n] for n in nodes], dtype=float)
    lo_x, hi_x = MARGIN / 2 - off[:, 0], width - MARGIN / 2 - off[:, 1]
    lo_y, hi_y = MARGIN / 2 - off[:, 2], height - MARGIN / 2 - off[:, 3]
    order = np.arange(len(nodes))
    for _ in range(rounds):
        x0, x1 = pos[:, 0] + off[:, 0], pos[:, 0] + off[:, 1]
        y0, y1 = pos[:, 1] + off[:, 2], pos[:, 1] + off[:, 3]
        ox = np.minimum(x1[:, None], x1[None, :]) - np.maximum(x0[:, None], x0[None, :])
        oy = np.minimum(y1[:, None], y1[None, :]) - np.maximum(y0[:, None], y0[None, :])
        hit = (ox > 0) & (oy > 0)
        np.fill_diagonal(hit, False)
        if not hit.any():
            break
        dy = pos[:, 1][:, None] - pos[:, 1][None, :]
        dx = pos[:, 0][:, None] - pos[:, 0][None, :]
        tie = np.sign(order[:, None] - order[None, :]).astype(float)
        sy = np.where(dy != 0, np.sign(dy), tie)
        sx = np.where(dx != 0, np.sign(dx), tie)
        along_y = hit & (oy <= ox)
        along_x = hit & (ox < oy)
        move = np.zeros_like(pos)
        move[:, 1] = (np.where(along_y, sy * (oy / 2 + 0.5), 0.0)).sum(axis=1)
        move[:, 0] = (np.where(along_x, sx * (ox / 2 + 0.5), 0.0)).sum(axis=1)
        counts = np.maximum(hit.sum(axis=1), 1)
        pos += move / np.sqrt(counts)[:, None]
        pos[:, 0] = np.clip(pos[:, 0], lo_x, np.maximum(lo_x, hi_x))
        pos[:, 1] = np.clip(pos[:, 1], lo_y, np.maximum(lo_y, hi_y))
    return {n: (float(p[0]), float(p[1])) for n, p in zip(nodes, pos, strict=True)}


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _attr(value: object) -> str:
    return quoteattr(str(value))


def render(
    g: nx.MultiDiGraph,
    pos: Mapping[Node, tuple[float, float]],
    href: Callable[[str, str], str],
    title: str,
    camp_of: Mapping[int, int] | None = None,
    centre: Node | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
    label_limit: int = 34,
    labels: int = LABELS,
) -> str:
    """The SVG document (a string of escaped markup) for `g` laid out at `pos`.

    `href(kind, slug)` gives each node's link; `camp_of` colours and numbers people by camp;
    `centre` marks the node an ego graph is about. At most `labels` nodes get their text drawn
    (the centre first, then the most connected), each where it overlaps no other label
    (kb.graph.labels); every node keeps its text as a <title>.
    """
    camp_of = camp_of or {}
    inner_w, inner_h = width - 2 * MARGIN - 120, height - 2 * MARGIN
    xy = {
        n: (MARGIN + 40 + p[0] * inner_w, MARGIN + p[1] * inner_h) for n, p in pos.items() if n in g
    }
    xy = _declutter(xy, _mark_boxes(xy), width, height)
    placed = _place_labels(g, xy, centre, (width, height), label_limit, labels)
    out = _preamble(title, width, height)
    out.append('<g class="edges" fill="none">')
    out += _edges(g, xy, centre)
    out.append("</g>")
    out.append('<g class="nodes">')
    # claims first, people on top
    for n in sorted(xy, key=lambda n: (n[0] == "person", n)):
        data = g.nodes[n]
        label = str(data["label"])
        link = href(str(data["kind"]), str(data["slug"]))
        if n[0] == "person":
            camp = camp_of.get(n[1])
            r = _radius(n, centre)
            out += _person_mark(xy[n], label, link, camp, r, n == centre)
        else:
            out += _claim_mark(xy[n], label, link, n == centre)
    # the names over every mark (the marks are the links; a label lets clicks through)
    out.append('</g><g class="labels" aria-hidden="true" pointer-events="none">')
    for key in sorted(placed, key=lambda k: (k[0] == "person", k)):
        person = key[0] == "person"
        weight = ' font-weight="700"' if person else ""
        font, fill = (PERSON_FONT, "#1d2330") if person else (CLAIM_FONT, "#3a4150")
        out.append(_label_text(placed[key], font, weight, fill))
    out.append("</g></svg>")
    return "\n".join(out)


def _mark_boxes(xy: Mapping[Node, tuple[float, float]]) -> dict[Node, Box]:
    """The box each node's mark takes around its centre (with room to breathe), for
    _declutter: labels are placed afterwards, where there is room for them."""
    boxes: dict[Node, Box] = {}
    for n in xy:
        half = PERSON_R + 6 if n[0] == "person" else CLAIM_SIZE / 2 + 8
        boxes[n] = (-half, half, -half, half)
    return boxes


def _place_labels(
    g: nx.MultiDiGraph,
    xy: Mapping[Node, tuple[float, float]],
    centre: Node | None,
    size: tuple[int, int],
    label_limit: int,
    limit: int,
) -> dict[Node, lb.Placed]:
    """Which nodes get a drawn label and where: the centre, then by degree (most connected
    first; ties: people before claims, then by node), none overlapping."""
    degree = dict(g.degree())
    order = sorted(xy, key=lambda n: (n != centre, -degree.get(n, 0), n[0] != "person", n))
    wanted = [
        lb.Candidate(
            n,
            *xy[n],
            _radius(n, centre) + (1 if n[0] == "person" else 2),
            _shorten(str(g.nodes[n]["label"]), 28 if n[0] == "person" else label_limit),
            PERSON_FONT if n[0] == "person" else CLAIM_FONT,
        )
        for n in order
    ]
    marks = np.array(
        [(x - r, y - r, x + r, y + r) for n, (x, y) in xy.items() for r in [_radius(n, centre)]]
    ).reshape(-1, 4)
    bounds = (2.0, 2.0, size[0] - 2.0, size[1] - 2.0)
    return {cast(Node, p.key): p for p in lb.place(wanted, bounds, limit, marks=marks)}


def _preamble(title: str, width: int, height: int) -> list[str]:
    """The <svg> element's opening, its title, the arrow markers and the white background."""
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kb-graph" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="group" aria-labelledby="graph-title"'
        ' font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">',
        f'<title id="graph-title">{escape(title)}</title>',
        "<defs>",
    ]
    for key in ("rel-supports", "rel-contradicts"):
        stroke = EDGE_STYLE[key]["stroke"]
        shape = (
            '<path d="M0,0 L10,5 L0,10 z"'
            if key == "rel-supports"
            else '<path d="M8,0 L10,0 L10,10 L8,10 z"'
        )
        out.append(
            f'<marker id="arrow-{key}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7"'
            f' markerHeight="7" orient="auto-start-reverse">{shape} fill="{stroke}"/></marker>'
        )
    out.append("</defs>")
    out.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    return out


def _radius(n: Node, centre: Node | None) -> float:
    base = PERSON_R if n[0] == "person" else CLAIM_SIZE * 0.75
    return base + (5 if n == centre else 0)


def _edges(
    g: nx.MultiDiGraph, xy: Mapping[Node, tuple[float, float]], centre: Node | None
) -> list[str]:
    """One <line> per edge between drawn nodes, from rim to rim, with its words as a tooltip."""
    out = []
    for u, v, data in sorted(g.edges(data=True), key=lambda e: (e[0], e[1], style_key(e[2]))):
        if u not in xy or v not in xy:
            continue
        key = style_key(data)
        st = EDGE_STYLE[key]
        (x1, y1), (x2, y2) = xy[u], xy[v]
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1.0
        ru, rv = _radius(u, centre) + 2, _radius(v, centre) + 3
        ax, ay = x1 + dx * ru / dist, y1 + dy * ru / dist
        bx, by = x2 - dx * rv / dist, y2 - dy * rv / dist
        width_px = (
            1.6 if data.get("kind") == "relation" else 1.4 + 0.5 * min(int(data["weight"]), 4)
        )
        extra = f' stroke-dasharray="{st["dash"]}"' if st["dash"] else ""
        if data.get("kind") == "relation":
            extra += f' marker-end="url(#arrow-{key})"'
        what = (
            f"{g.nodes[u]['label']} {data['position']} {g.nodes[v]['label']}"
            if data.get("kind") == "relation"
            else f"{g.nodes[u]['label']} {data['position']}: {g.nodes[v]['label']}"
            f" ({data['weight']} quote{'s' if data['weight'] != 1 else ''})"
        )
        out.append(
            f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}"'
            f' stroke="{st["stroke"]}" stroke-width="{width_px:.1f}"{extra}'
            f" class={_attr('edge ' + key)}><title>{escape(what)}</title></line>"
        )
    return out


def _label_text(pl: lb.Placed, size: int, weight: str, fill: str) -> str:
    return (
        f'<text class="lbl" x="{pl.x:.1f}" y="{pl.y:.1f}" text-anchor="{pl.anchor}"'
        f' font-size="{size}"{weight} fill="{fill}" stroke="#ffffff" stroke-width="4"'
        f' stroke-linejoin="round" paint-order="stroke">{escape(pl.text)}</text>'
    )


def _person_mark(
    at: tuple[float, float],
    label: str,
    link: str,
    camp: int | None,
    r: float,
    central: bool,
) -> list[str]:
    """A person: a linked circle ringed in its camp's colour, the camp number inside."""
    x, y = at
    tip = f"{label}" + (f" (camp {camp})" if camp else "")
    out = [f'<a href={_attr(link)} class="node person"><title>{escape(tip)}</title>']
    out.append(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="#ffffff"'
        f' stroke="{camp_colour(camp)}" stroke-width="{5 if central else 4}"/>'
    )
    if camp:
        out.append(
            f'<text x="{x:.1f}" y="{y + 4.5:.1f}" text-anchor="middle" font-size="13"'
            f' font-weight="700" fill="#1d2330">{camp}</text>'
        )
    out.append("</a>")
    return out


def _claim_mark(at: tuple[float, float], label: str, link: str, central: bool) -> list[str]:
    """A claim: a linked square (filled when it is the centre)."""
    x, y = at
    s = CLAIM_SIZE + (6 if central else 0)
    out = [f'<a href={_attr(link)} class="node claim"><title>{escape(label)}</title>']
    out.append(
        f'<rect x="{x - s / 2:.1f}" y="{y - s / 2:.1f}" width="{s}" height="{s}" rx="2"'
        f' fill="{"#1d2330" if central else "#f1f2f4"}" stroke="#1d2330"'
        ' stroke-width="1.5"/>'
    )
    out.append("</a>")
    return out


def legend_items() -> list[dict[str, str]]:
    """The edge styles for the HTML legend: key, stroke, dash, label."""
    return [{"key": k, **v} for k, v in EDGE_STYLE.items()]
