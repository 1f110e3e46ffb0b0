"""Label placement for the server-side pictures: a greedy box-collision algorithm.

A label is drawn only where its box overlaps no label already placed: the candidates go in
priority order (the caller decides whom to label first), each tries a few spots around its
mark (beside it, outwards from the picture's middle first when the caller asks; below;
above; then the corners) and takes the first spot that stays inside
the picture and clears every placed box, preferring among those the one that covers the fewest
other marks. A candidate with no free spot gets no label (its mark keeps its <title>).

Text width is estimated, not measured (there is no browser on the server): CHAR_WIDTH of the
font size per character, plus the halo, which is generous for the system sans-serif fonts, so
the boxes the browser draws are smaller than the boxes placed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

CHAR_WIDTH = 0.62
LINE_HEIGHT = 1.3
HALO = 3.0
GAP = 3.0

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Candidate:
    key: object
    x: float  # the mark's centre
    y: float
    r: float  # the mark's radius: a label starts GAP beyond it
    text: str
    size: float  # font size
    leftward: bool = False  # try the left side first (a mark left of the picture's middle)


@dataclass(frozen=True)
class Placed:
    key: object
    x: float  # where the <text> goes (its anchor point on the baseline)
    y: float
    anchor: str  # start / middle / end
    box: Box
    text: str = ""


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH + 2 * HALO


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a: Box, bounds: Box) -> bool:
    return a[0] >= bounds[0] and a[1] >= bounds[1] and a[2] <= bounds[2] and a[3] <= bounds[3]


def spots(c: Candidate) -> list[Placed]:
    """The places a label may go around its mark, in order of preference."""
    w, h = text_width(c.text, c.size), c.size * LINE_HEIGHT
    d = c.r + GAP
    base = c.size * 0.35  # from a box's vertical centre down to the text's baseline
    out = []
    # (anchor, dx of the anchor, dy of the box centre): beside, below, above, the corners
    tries = [
        ("start", d, 0.0),
        ("end", -d, 0.0),
        ("middle", 0.0, d + h / 2),
        ("middle", 0.0, -d - h / 2),
        ("start", d * 0.7, d * 0.7 + h / 2),
        ("end", -d * 0.7, d * 0.7 + h / 2),
        ("start", d * 0.7, -d * 0.7 - h / 2),
        ("end", -d * 0.7, -d * 0.7 - h / 2),
    ]
    if c.leftward:  # outwards first: names then point away from the middle, not across it
        tries[0], tries[1] = tries[1], tries[0]
    for anchor, dx, dy in tries:
        ax, cy = c.x + dx, c.y + dy
        x0 = {"start": ax - HALO, "end": ax - w + HALO, "middle": ax - w / 2}[anchor]
        box = (x0, cy - h / 2, x0 + w, cy + h / 2)
        out.append(Placed(c.key, ax, cy + base, anchor, box, c.text))
    return out


def spot_at(x: float, y: float, gap: float, text: str, size: float, side: str) -> Placed:
    """A centred label `gap` above (side="above") or below a point."""
    w, h = text_width(text, size), size * LINE_HEIGHT
    cy = y - gap - h / 2 if side == "above" else y + gap + h / 2
    box = (x - w / 2, cy - h / 2, x + w / 2, cy + h / 2)
    return Placed(None, x, cy + size * 0.35, "middle", box, text)


def place(
    candidates: Sequence[Candidate],
    bounds: Box,
    limit: int,
    taken: Sequence[Box] = (),
    marks: np.ndarray | None = None,
    avoid: Mapping[Any, Sequence[Box]] | None = None,
) -> list[Placed]:
    """Up to `limit` labels, no two boxes (nor any box in `taken`) overlapping, all inside
    `bounds`. `marks` is an (n, 4) array of the marks' boxes, which a label should not cover
    when it has a choice; `avoid[key]`, boxes a candidate's label must stay out of (on the
    map: other camps' regions, so a name does not read as one of theirs)."""
    placed: list[Placed] = []
    boxes = list(taken)
    for c in candidates:
        if len(placed) >= limit:
            break
        best: tuple[int, int, Placed] | None = None
        for order, spot in enumerate(spots(c)):
            if not inside(spot.box, bounds) or any(overlaps(spot.box, b) for b in boxes):
                continue
            if avoid is not None and any(overlaps(spot.box, b) for b in avoid.get(c.key, ())):
                continue
            covered = _covered(spot.box, marks)
            if best is None or (covered, order) < best[:2]:
                best = (covered, order, spot)
            if covered == 0:
                break
        if best is not None:
            placed.append(best[2])
            boxes.append(best[2].box)
    return placed


def _covered(box: Box, marks: np.ndarray | None) -> int:
    if marks is None or marks.size == 0:
        return 0
    hit = (marks[:, 0] < box[2]) & (box[0] < marks[:, 2])
    hit &= (marks[:, 1] < box[3]) & (box[1] < marks[:, 3])
    return int(np.count_nonzero(hit))
