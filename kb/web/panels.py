"""Extra panels on the person and claim pages that come from the graph layer (who agrees with
whom, tensions, the neighbourhood picture). The browse views call these and merge the result
into the template context; templates/browse/_person_panels.html and _claim_panels.html show it.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from markupsafe import Markup
from sqlalchemy.orm import Session

from kb.graph import analysis, cached, svg
from kb.models import Claim, Person
from kb.queries.listing import HISTORY_PREVIEW
from kb.web.present import href, score_class, signed

EGO_WIDTH, EGO_HEIGHT = 900, 560
EGO_LABELS = 12  # names drawn in a neighbourhood picture; every node keeps its <title>


def _ego_picture(session: Session, kind: str, node_id: int, title: str) -> dict[str, Any]:
    vp, pos = cached.ego(session, kind, node_id)
    camps = cached.camps(session)
    picture = svg.render(
        vp.graph,
        pos,
        href,
        title,
        camps.camp_of,
        centre=(kind, node_id),
        width=EGO_WIDTH,
        height=EGO_HEIGHT,
        label_limit=30,
        labels=EGO_LABELS,
    )
    return {
        "ego_svg": Markup(picture),
        "ego_shown": {"people": vp.people_shown, "claims": vp.claims_shown},
        "ego_total": {"people": vp.people_total, "claims": vp.claims_total},
        "ego_capped": vp.capped,
        "graph_legend": svg.legend_items(),
    }


def _tensions(session: Session, preview: bool, person_id: int) -> dict[str, Any]:
    """A person's tensions (only the first HISTORY_PREVIEW in a preview), and whether a preview left
    some out (one more is asked for to know)."""
    if not preview:
        return {"tensions": analysis.tensions(session, person_id=person_id), "tensions_more": False}
    found = analysis.tensions(session, person_id=person_id, limit=HISTORY_PREVIEW + 1)
    return {"tensions": found[:HISTORY_PREVIEW], "tensions_more": len(found) > HISTORY_PREVIEW}


def person_panels(session: Session, person: Person, preview: bool = False) -> dict[str, Any]:
    """Who the person agrees and disagrees with most (with the counts), their camp, their
    tensions with the evidence (a few, and whether there are more, in a `preview`), and their
    neighbourhood picture."""
    agreement = cached.agreement(session)
    camps = cached.camps(session)
    agree, disagree = agreement.most(person.id, limit=5)

    def row(p: Any) -> dict[str, Any]:
        slug, name = agreement.people.get(p.b, ("", ""))
        return {
            "compare_url": url_for("graph.compare", slug_a=person.slug, slug_b=slug),
            "score_cls": score_class(p.score),
            "slug": slug,
            "name": name,
            "agreements": p.agreements,
            "disagreements": p.disagreements,
            "shared": p.shared,
            "score": p.score,
            "score_text": signed(p.score),
        }

    camp = camps.camp_of.get(person.id)
    return {
        "graph_panels": True,
        "graph_href": href,
        "agrees_most": [row(p) for p in agree],
        "disagrees_most": [row(p) for p in disagree],
        "camp": camp,
        "camp_label": analysis.camp_label(camps, camp, agreement.people) if camp else None,
        **_tensions(session, preview, person_id=person.id),
        **_ego_picture(session, "person", person.id, f"{person.name}'s neighbourhood"),
    }


def claim_panels(session: Session, claim: Claim) -> dict[str, Any]:
    """Tensions around the claim (with evidence) and its neighbourhood picture."""
    return {
        "graph_panels": True,
        "graph_href": href,
        "tensions": analysis.tensions(session, claim_id=claim.id),
        **_ego_picture(session, "claim", claim.id, f"The neighbourhood of claim {claim.slug}"),
    }
