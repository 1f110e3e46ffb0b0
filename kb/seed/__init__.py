"""The seed dataset: Chollet, Musk, Hawking and Rees, built from the checked fact sheet by
tools/build_seed.py. Loading it only adds what is missing: a seed record already in the
database is never changed, even when it differs from the seed (an editor corrected it), so
`kb seed` can run any number of times and never undoes anyone's work."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from kb.importer import Report, apply_document


def seed_document() -> dict[str, Any]:
    return json.loads(resources.files("kb.seed").joinpath("seed.json").read_text(encoding="utf-8"))


def load_seed(session: Session) -> Report:
    """Add the seed records the database lacks, in the session's transaction (the caller
    commits). The report counts what was created and what was skipped, and names the records
    kept as edited (Report.skipped_lines)."""
    session.info.setdefault("actor", "seed")
    return apply_document(session, seed_document(), file="seed.json", add_only=True)
