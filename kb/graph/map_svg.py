"""The opinion map as a server-side SVG: camps as soft labelled regions, each person a linked,
focusable mark (shape and colour by camp), a few names on a white halo placed without overlap.

- Points come from kb.graph.opinion_map in [-1, 1] and are fitted into the picture with one
  scale for both axes (distances mean the same across and down); when there are few enough,
  marks that would sit on top of each other are nudged apart so each one can be pointed at.
- A camp's region is the convex hull of its members nearest its middle (REGION_SHARE of them,
  so one outlier does not swallow the map), drawn with a wide round stroke: a soft hull.
- Labels: the camp names first (drawn over the marks), then up to `labels` people in the caller's priority order,
  all around the reader's mark when there is one (/stand, kb.graph.you_mark),
  placed by kb.graph.labels (no two boxes overlap, all inside the picture).
- Every mark is an <a href> with a <title> (the person, their camp, their sides on the claims
  that divide the camps); an unlabelled mark's name shows on hover and keyboard focus (CSS).

Escaping: every text and attribute goes through xml.sax.saxutils. No style attributes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from scipy.spatial import ConvexHull, QhullError

from kb.graph import labels as lb
from kb.graph.svg import camp_colour, camp_shape
from kb.graph.you_mark import you_mark

REGION_SHARE = 0.85
SEPARATE_LIMIT = 600
TIP_LIMIT = 400
"""Up to this many people each unlabelled mark carries its name for hover and focus (CSS);
above it the page would grow by a name per mark, and the <title> and the table carry it."""
PAD = 14


@dataclass(frozen=True)
class MapPerson:
    id: int
    name: str
    url: str
    camp: int | None
    x: float  # in [-1, 1]
    y: float
    tip: str  # the <title>: name, camp, sides
    brief: str = ""  # the phone picture's shorter <title> (name and camp)


@dataclass(frozen=True)
class MapCamp:
    number: int
    name: str  # "Geoffrey Hinton, Yoshua Bengio and 9 others"


def mark_path(shape: str, x: float, y: float, r: float) -> str:
    """The SVG element of a mark: circle, square, triangle or diamond of about radius r."""
    if shape == "circle":
        return f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"'
    if shape == "square":
        s = r * 0.9
        return f'<rect class="mark" x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}"'
    if shape == "triangle":
        t = r * 1.2
        pts = f"{x:.1f},{y - t:.1f} {x + t * 0.87:.1f},{y + t * 0.5:.1f} {x - t * 0.87:.1f},{y + t * 0.5:.1f}"
    else:
        t = r * 1.2
        pts = f"{x:.1f},{y - t:.1f} {x + t:.1f},{y:.1f} {x:.1f},{y + t:.1f} {x - t:.1f},{y:.1f}"
    return f'<polygon class="mark" points="{pts}"'


def mark_radius(n: int) -> float:
    """A mark's radius on a map of n people; the picture keeps 34 px + r clear at its edges."""
    return 7.0 if n <= 60 else 4.5 if n <= 400 else 3.0


def fit(people: Sequence[MapPerson], width: int, height: int, margin: float) -> np.ndarray:
    """Pixel positions: one scale for both axes, centred in the picture."""
    if not people:
        return np.zeros((0, 2))
    xy = np.array([(p.x, p.y) for p in people], dtype=float)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    scale = min((width - 2 * margin) / span[0], (height - 2 * margin) / span[1])
    mid = (lo + hi) / 2
    return (xy - mid) * scale + np.array([width / 2, height / 2])


def separate(xy: np.ndarray, gap: float, bounds: lb.Box, rounds: int = 40) -> np.ndarray:
    """Push marks closer than `gap` apart, half each way (ties by index): deterministic."""
    pos = xy.copy()
    n = len(pos)
    if n < 2 or n > SEPARATE_LIMIT:
        return pos
    idx = np.arange(n)
    for _ in range(rounds):
        d = pos[:, None, :] - pos[None, :, :]
        dist = np.hypot(d[..., 0], d[..., 1])
        np.fill_diagonal(dist, np.inf)
        close = dist < gap
        if not close.any():
            break
        # coincident marks part along a fixed direction per pair
        tie = np.stack([np.sign(idx[:, None] - idx[None, :]), np.zeros((n, n))], axis=-1)
        unit = np.where((dist > 1e-9)[..., None], d / np.maximum(dist, 1e-9)[..., None], tie)
        depth = np.where(close, (gap - np.where(close, dist, 0.0)) / 2, 0.0)
        push = (unit * depth[..., None]).sum(axis=1)
        pos += push
        pos[:, 0] = np.clip(pos[:, 0], bounds[0], bounds[2])
        pos[:, 1] = np.clip(pos[:, 1], bounds[1], bounds[3])
    return pos


def _fit_with_reader(
    people: Sequence[MapPerson],
    reader: tuple[float, float] | None,
    width: int,
    height: int,
    margin: float,
) -> tuple[np.ndarray, tuple[float, float] | None]:
    """The people's pixel positions and the reader's, kept inside the people's box so that
    fitting the reader in moves nobody's mark."""
    if reader is None or not people:
        return fit(people, width, height, margin), None
    xs, ys = [p.x for p in people], [p.y for p in people]
    at = min(max(reader[0], min(xs)), max(xs)), min(max(reader[1], min(ys)), max(ys))
    xy = fit([*people, MapPerson(-1, "You", "", None, *at, "")], width, height, margin)
    return xy[:-1], (float(xy[-1][0]), float(xy[-1][1]))


def region(points: np.ndarray) -> np.ndarray:
    """The outline of a camp's core: the hull of the REGION_SHARE of its points nearest their
    median (all of them below five), as an (m, 2) array; a line or dot when they are in line."""
    if len(points) >= 5:
        d = np.hypot(*(points - np.median(points, axis=0)).T)
        keep = np.argsort(d, kind="stable")[: max(3, int(np.ceil(len(points) * REGION_SHARE)))]
        points = points[np.sort(keep)]
    if len(points) >= 3:
        try:
            return points[ConvexHull(points).vertices]
        except QhullError:
            pass
    order = np.lexsort((points[:, 1], points[:, 0]))
    return points[[order[0], order[-1]]]


@dataclass(frozen=True)
class Drawn:
    svg: str
    labelled: frozenset[int]  # the people whose names are drawn


def render_map(
    people: Sequence[MapPerson],
    camps: Sequence[MapCamp],
    priority: Sequence[int],
    title: str,
    width: int = 1000,
    height: int = 620,
    labels: int = 12,
    font: float = 16,
    camp_names: bool = True,
    css_class: str = "opinion-map",
    brief: bool = False,
    reader: tuple[float, float] | None = None,
) -> Drawn:
    """The SVG markup of the opinion map and who got a label (see the module docstring);
    `reader`, the reader's place in map units (/stand), draws their mark (kb.graph.you_mark),
    which every label is placed around."""
    r = mark_radius(len(people))
    xy, you = _fit_with_reader(people, reader, width, height, 34.0 + r)
    xy = separate(xy, 2 * r + 2, (r + 2, r + 2, width - r - 2, height - r - 2))
    at = {p.id: (float(x), float(y)) for p, (x, y) in zip(people, xy, strict=True)}
    out = _head(title, width, height, css_class)
    by_camp: dict[int, list[int]] = {}
    for k, p in enumerate(people):
        if p.camp:
            by_camp.setdefault(p.camp, []).append(k)
    drawn, regions = _regions(camps, by_camp, xy, r)
    out += drawn
    bounds = (2.0, 2.0, width - 2.0, height - 2.0)
    marks = np.array([(x - r, y - r, x + r, y + r) for x, y in xy]).reshape(-1, 4)
    taken = [tuple(b) for b in marks.tolist()] if len(people) <= 60 else []
    mark = you_mark(*you, width) if you is not None else None
    star = list(mark.boxes) if mark is not None else []
    camp_labels = _camp_labels(camps, regions, bounds, font, camp_names, taken + star)
    boxes = [c.box for c in camp_labels] + star
    names = {p.id: p for p in people}
    wanted = [
        lb.Candidate(pid, *at[pid], r + 1, names[pid].name, font, at[pid][0] < width / 2)
        for pid in priority
        if pid in names
    ]
    foreign = {pid: [b for k, b in regions.items() if k != names[pid].camp] for pid in names}
    placed = lb.place(wanted, bounds, labels, taken=boxes, marks=marks, avoid=foreign)
    label_of = {pl.key: pl for pl in placed}
    out.append('<g class="points" stroke="#ffffff" stroke-width="1.2">')
    tips = len(people) <= TIP_LIMIT
    # labelled people last, so no other mark is drawn over a name
    for p in sorted(people, key=lambda p: p.id in label_of):
        out += _point(p, at[p.id], r, label_of.get(p.id), font, tips, brief)
    # camp names on top of the marks, so a crowded camp does not hide its own name
    out.append('</g><g class="camp-labels">')
    for pl in camp_labels:
        colour = camp_colour(int(str(pl.key)))
        out.append(_text(pl, pl.text, font, "camp-lbl", colour, bold=True))
    out.append("</g>" + (mark.svg if mark is not None else "") + "</svg>")
    return Drawn("\n".join(out), frozenset(int(str(k)) for k in label_of))


def _head(title: str, width: int, height: int, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class={quoteattr(css_class)}'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="group"'
        f" aria-label={quoteattr(title)}"
        ' font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _regions(
    camps: Sequence[MapCamp], by_camp: dict[int, list[int]], xy: np.ndarray, r: float
) -> tuple[list[str], dict[int, lb.Box]]:
    """The soft hulls, and each region's box (what its name is placed against)."""
    out = ['<g class="regions" aria-hidden="true">']
    boxes: dict[int, lb.Box] = {}
    for c in camps:
        ks = by_camp.get(c.number, [])
        if len(ks) < 2:
            continue
        hull = region(xy[ks])
        (x0, y0), (x1, y1) = hull.min(axis=0), hull.max(axis=0)
        grow = r + PAD
        boxes[c.number] = (float(x0 - grow), float(y0 - grow), float(x1 + grow), float(y1 + grow))
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in hull) + (" Z" if len(hull) > 2 else "")
        colour = camp_colour(c.number)
        out.append(
            f'<g opacity="0.13"><path d="{d}" fill="{colour}" stroke="{colour}"'
            f' stroke-width="{2 * grow:.0f}" stroke-linejoin="round"'
            ' stroke-linecap="round"/></g>'
        )
    out.append("</g>")
    return out, boxes


def _camp_text(camps: Sequence[MapCamp], number: int, full: bool) -> str:
    name = next((c.name for c in camps if c.number == number), "")
    return f"Camp {number}: {name}" if full else f"Camp {number}"


def _camp_labels(
    camps: Sequence[MapCamp],
    regions: dict[int, lb.Box],
    bounds: lb.Box,
    font: float,
    full: bool,
    taken: list[lb.Box],
) -> list[lb.Placed]:
    """Each camp's name just inside the top of its region, else just inside its bottom, else
    above or below it; the full name when it is not much wider than the region, else
    "Camp 3" (the list under the map has every name). Slid sideways to stay in the picture."""
    placed: list[lb.Placed] = []
    for c in camps:
        if c.number not in regions:
            continue
        x0, y0, x1, y1 = regions[c.number]
        full_text = _camp_text(camps, c.number, True)
        fits = lb.text_width(full_text, font) <= 1.3 * (x1 - x0)
        texts = [full_text, f"Camp {c.number}"] if full and fits else [f"Camp {c.number}"]
        h = font * lb.LINE_HEIGHT
        mid = (y0 + y1) / 2 + h / 2
        tries = (
            (y0 + h + 2, "above"),
            (y1 - h - 2, "below"),
            (y0, "above"),
            (y1, "below"),
            (mid, "above"),
        )
        for text in texts:
            half = lb.text_width(text, font) / 2
            cx = float(np.clip((x0 + x1) / 2, bounds[0] + half, bounds[2] - half))
            spot = next(
                (
                    s
                    for y, side in tries
                    if _free(
                        s := lb.spot_at(cx, y, 1.0, text, font, side),
                        bounds,
                        [p.box for p in placed] + taken,
                    )
                ),
                None,
            )
            if spot is not None:
                placed.append(dataclasses.replace(spot, key=c.number))
                break
    return placed


def _free(spot: lb.Placed, bounds: lb.Box, boxes: list[lb.Box]) -> bool:
    return lb.inside(spot.box, bounds) and not any(lb.overlaps(spot.box, b) for b in boxes)


def _text(pl: lb.Placed, text: str, font: float, cls: str, fill: str, bold: bool) -> str:
    weight = ' font-weight="700"' if bold else ""
    return (
        f'<text class="{cls}" x="{pl.x:.1f}" y="{pl.y:.1f}" text-anchor="{pl.anchor}"'
        f' font-size="{font:g}"{weight} fill="{fill}" stroke="#ffffff" stroke-width="4"'
        f' stroke-linejoin="round" paint-order="stroke">{escape(text)}</text>'
    )


def _point(
    p: MapPerson,
    at: tuple[float, float],
    r: float,
    label: lb.Placed | None,
    font: float,
    tip: bool,
    brief: bool,
) -> list[str]:
    x, y = at
    cls = f"pt camp-{p.camp}" if p.camp else "pt"
    title = p.brief if brief and p.brief else p.tip
    out = [
        f"<a href={quoteattr(p.url)} class={quoteattr(cls)}><title>{escape(title)}</title>"
        f'{mark_path(camp_shape(p.camp), x, y, r)} fill="{camp_colour(p.camp)}"/>'
    ]
    if label is not None:
        out.append(_text(label, p.name, font, "lbl", "#1d2330", bold=True))
    elif tip:  # shown on hover and focus only (map.css)
        out.append(
            f'<text class="tip" x="{x:.1f}" y="{y - r - 6:.1f}" text-anchor="middle"'
            f' font-size="{font:g}" fill="#1d2330" stroke="#ffffff" stroke-width="4"'
            f' paint-order="stroke">{escape(p.name)}</text>'
        )
    out.append("</a>")
    return out
