"""The seed dataset: Chollet, Musk, Hawking and Rees, built from the checked fact sheet by
tools/build_seed.py. Loading it is an upsert, so `kb seed` can run any number of times."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from kb.importer import Report, apply_document


def seed_document() -> dict[str, Any]:
    return json.loads(resources.files("kb.seed").joinpath("seed.json").read_text(encoding="utf-8"))


def load_seed(session: Session) -> Report:
    """Upsert the seed into the session's transaction (the caller commits)."""
    session.info.setdefault("actor", "seed")
    return apply_document(session, seed_document(), file="seed.json")
