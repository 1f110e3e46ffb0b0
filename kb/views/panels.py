"""Extra panels on the person and claim pages that come from the graph layer (who agrees with
whom, tensions, the neighbourhood picture). The browse views call these and merge the result
into the template context; templates/browse/_person_panels.html and _claim_panels.html show it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kb.models import Claim, Person


def person_panels(session: Session, person: Person) -> dict[str, Any]:
    return {}


def claim_panels(session: Session, claim: Claim) -> dict[str, Any]:
    return {}
