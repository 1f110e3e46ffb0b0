"""Apply a kb/1 document (the seed format, see docs/FORMAT.md) to the database.

Kept for the seed and for callers that hold a document in memory; the work is kb.importer's, so
the seed, `kb import` and /admin/import check and write records the same way: matched by slug or
natural key (applying the same document twice changes nothing), everything checked before
anything is kept, and the caller's transaction left open for the caller to commit.
"""

from __future__ import annotations

from kb.importer import ENTITIES, Report, apply_document

__all__ = ["ENTITIES", "Report", "apply_document"]
