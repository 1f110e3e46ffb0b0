"""The reader's mark on the opinion map (/stand): a star in a dashed ring with a "You" badge
above it (below it near the top edge), so it reads apart from the people's names around it.

`you_mark` gives the markup and the boxes it covers; kb.graph.map_svg places the camp names and
the people's names around those boxes (kb.graph.labels), so no name hides under the star.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kb.graph.labels import Box

RING = 15.0  # the dashed ring's radius; the star's points reach STAR
STAR, STAR_INNER = 11.0, 4.6
BADGE_W, BADGE_H = 40.0, 16.0
BADGE_GAP = 30.0  # from the star's centre up to the badge's top
TITLE = "You, placed by your answers"


@dataclass(frozen=True)
class YouMark:
    svg: str
    boxes: tuple[Box, ...]  # the ring's and the badge's boxes (stroke included)


def you_mark(x: float, y: float, width: float) -> YouMark:
    """The reader's mark centred on (x, y) in a picture `width` wide."""
    pts = " ".join(
        f"{x + (STAR if k % 2 == 0 else STAR_INNER) * math.sin(k * math.pi / 5):.1f},"
        f"{y - (STAR if k % 2 == 0 else STAR_INNER) * math.cos(k * math.pi / 5):.1f}"
        for k in range(10)
    )
    ty = y - BADGE_GAP if y > BADGE_GAP + 10 else y + RING + 1
    tx = min(max(x, BADGE_W / 2 + 4), width - BADGE_W / 2 - 4)
    ring = RING + 1  # half the dashed stroke
    svg = (
        f'<g class="you"><title>{TITLE}</title>'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RING:g}" fill="none" stroke="#111827"'
        ' stroke-width="2" stroke-dasharray="3 3"/>'
        f'<polygon points="{pts}" fill="#111827" stroke="#ffffff" stroke-width="2"/>'
        f'<rect x="{tx - BADGE_W / 2:.1f}" y="{ty:.1f}" width="{BADGE_W:g}"'
        f' height="{BADGE_H:g}" rx="8" fill="#111827"/>'
        f'<text x="{tx:.1f}" y="{ty + 12.5:.1f}" text-anchor="middle" font-size="13"'
        ' font-weight="700" fill="#ffffff">You</text></g>'
    )
    boxes = (
        (x - ring, y - ring, x + ring, y + ring),
        (tx - BADGE_W / 2, ty, tx + BADGE_W / 2, ty + BADGE_H),
    )
    return YouMark(svg, boxes)
