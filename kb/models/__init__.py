"""The typed data model. The database enforces the rules too (foreign keys, NOT NULL, UNIQUE,
CHECK on every enumeration), so a bad row is refused whichever program writes it.

Every editable record carries `version`, SQLAlchemy's version counter: an UPDATE that finds a
different version raises StaleDataError instead of silently overwriting someone else's edit.

The models live in modules by what they hold (base, records, evidence, verification,
statements, bookkeeping, agreement); this package names them all, so code says
`from kb import models as m` and `m.Person` whichever module defines it. Records and the
evidence about them point at each other (a quote has replies, a reply has a quote); those
links name the other module's classes only for the type checker, and SQLAlchemy resolves them
by name at run time, so no module imports another at run time in a circle.
"""

from __future__ import annotations

from kb.models.agreement import (
    SIDE_COLUMNS,
    AgreementClaim,
    AgreementPair,
    AgreementSnapshot,
    AgreementState,
    DerivedValue,
)
from kb.models.base import (
    ATTRIBUTIONS,
    BASES,
    CHECKED_HOW,
    DATE_PRECISIONS,
    NAMING_CONVENTION,
    POSITIONS,
    RELATION_KINDS,
    REVISION_ACTIONS,
    ROLES,
    SLUG_MAX,
    SOURCE_KINDS,
    Base,
    Editable,
    claim_topic,
    intpk,
    slug_col,
    source_author,
    stance_evidence,
    timestamp,
    utcnow,
)
from kb.models.bookkeeping import KbState, LoginAttempt, Revision, User
from kb.models.evidence import (
    REPLY_BY,
    REPLY_RESPONSES,
    REPORT_KINDS,
    REPORT_STATUSES,
    REPORT_TARGETS,
    Reply,
    Report,
)
from kb.models.records import (
    SORTED_BY,
    Affiliation,
    Claim,
    ClaimRelation,
    Person,
    Quote,
    Source,
    Stance,
    Topic,
    affiliation_title,
)
from kb.models.statements import Signature, Statement
from kb.models.verification import (
    VERIFY_ACTOR,
    VERIFY_RESULTS,
    Verification,
    verification_label,
)

__all__ = [
    "SIDE_COLUMNS",
    "ATTRIBUTIONS",
    "Affiliation",
    "AgreementClaim",
    "AgreementPair",
    "AgreementSnapshot",
    "AgreementState",
    "DerivedValue",
    "BASES",
    "Base",
    "SORTED_BY",
    "CHECKED_HOW",
    "Claim",
    "ClaimRelation",
    "DATE_PRECISIONS",
    "Editable",
    "KbState",
    "LoginAttempt",
    "NAMING_CONVENTION",
    "POSITIONS",
    "Person",
    "Quote",
    "RELATION_KINDS",
    "REVISION_ACTIONS",
    "ROLES",
    "REPLY_BY",
    "REPLY_RESPONSES",
    "REPORT_KINDS",
    "REPORT_STATUSES",
    "REPORT_TARGETS",
    "Reply",
    "Report",
    "Revision",
    "SLUG_MAX",
    "SOURCE_KINDS",
    "Signature",
    "Source",
    "Stance",
    "Statement",
    "Topic",
    "User",
    "VERIFY_ACTOR",
    "VERIFY_RESULTS",
    "Verification",
    "affiliation_title",
    "claim_topic",
    "intpk",
    "slug_col",
    "source_author",
    "stance_evidence",
    "timestamp",
    "utcnow",
    "verification_label",
]

# The models whose records have a slug, for code that finds any of them by it.
SluggedModel = type[Person] | type[Source] | type[Topic] | type[Claim] | type[Statement]
# Any editable model (a union rather than type[Editable], which knows no id, table or columns).
EditableModel = (
    SluggedModel
    | type[Quote]
    | type[Stance]
    | type[ClaimRelation]
    | type[Signature]
    | type[Affiliation]
    | type[Reply]
    | type[Report]
    | type[Verification]
)

EDITABLE_MODELS: tuple[EditableModel, ...] = (
    Person,
    Source,
    Quote,
    Topic,
    Claim,
    Stance,
    ClaimRelation,
    Statement,
    Signature,
    Affiliation,
    Reply,
    Report,
    Verification,
)
