"""The typed data model. The database enforces the rules too (foreign keys, NOT NULL, UNIQUE,
CHECK on every enumeration), so a bad row is refused whichever program writes it.

Every editable record carries `version`, SQLAlchemy's version counter: an UPDATE that finds a
different version raises StaleDataError instead of silently overwriting someone else's edit.

The models live in modules by what they hold (base, records, affiliations, statements,
bookkeeping); this package names them all, so code says `from kb import models as m` and
`m.Person` whichever module defines it.
"""

from __future__ import annotations

from kb.models.affiliations import (
    Affiliation as Affiliation,
)
from kb.models.affiliations import (
    affiliation_title as affiliation_title,
)
from kb.models.base import (
    ATTRIBUTIONS as ATTRIBUTIONS,
)
from kb.models.base import (
    BASES as BASES,
)
from kb.models.base import (
    CHECKED_HOW as CHECKED_HOW,
)
from kb.models.base import (
    DATE_PRECISIONS as DATE_PRECISIONS,
)
from kb.models.base import (
    NAMING_CONVENTION as NAMING_CONVENTION,
)
from kb.models.base import (
    POSITIONS as POSITIONS,
)
from kb.models.base import (
    RELATION_KINDS as RELATION_KINDS,
)
from kb.models.base import (
    REVISION_ACTIONS as REVISION_ACTIONS,
)
from kb.models.base import (
    ROLES as ROLES,
)
from kb.models.base import (
    SLUG_MAX as SLUG_MAX,
)
from kb.models.base import (
    SOURCE_KINDS as SOURCE_KINDS,
)
from kb.models.base import (
    Base as Base,
)
from kb.models.base import (
    Editable as Editable,
)
from kb.models.base import (
    claim_topic as claim_topic,
)
from kb.models.base import (
    intpk as intpk,
)
from kb.models.base import (
    slug_col as slug_col,
)
from kb.models.base import (
    source_author as source_author,
)
from kb.models.base import (
    stance_evidence as stance_evidence,
)
from kb.models.base import (
    timestamp as timestamp,
)
from kb.models.base import (
    utcnow as utcnow,
)
from kb.models.bookkeeping import (
    KbState as KbState,
)
from kb.models.bookkeeping import (
    LoginAttempt as LoginAttempt,
)
from kb.models.bookkeeping import (
    Revision as Revision,
)
from kb.models.bookkeeping import (
    User as User,
)
from kb.models.records import (
    Claim as Claim,
)
from kb.models.records import (
    ClaimRelation as ClaimRelation,
)
from kb.models.records import (
    Person as Person,
)
from kb.models.records import (
    Quote as Quote,
)
from kb.models.records import (
    Source as Source,
)
from kb.models.records import (
    Stance as Stance,
)
from kb.models.records import (
    Topic as Topic,
)
from kb.models.statements import (
    Signature as Signature,
)
from kb.models.statements import (
    Statement as Statement,
)

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
)
