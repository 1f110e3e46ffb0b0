"""kb's own linked-data terms, written once: the vocabulary that /ns publishes (as Turtle,
JSON-LD and a page) and that the JSON-LD of the pages and dumps uses under the prefix `kb:`.

schema.org has no words for "person P holds position X on claim C, on this evidence", for
signing a joint statement, or for one claim supporting another, so those are kb's classes; the
properties are what kb records about them (and the few fields of quotes and sources schema.org
lacks). `kb:note` replaces schema.org's `comment`, whose range is a Comment, not text, and
whose domain is CreativeWork only. Each term has a label, a comment, a domain and a range
(rdfs), so a reader of the data can look every kb: word up.
"""

from __future__ import annotations

from typing import NamedTuple

from kb.models import ATTRIBUTIONS, BASES, CHECKED_HOW, POSITIONS, RELATION_KINDS

XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA = "https://schema.org/"


class Term(NamedTuple):
    """One term: its local name (after `kb:`), rdfs:label and rdfs:comment, and for a property
    its domain and range as CURIEs (`kb:Stance`, `schema:Person`, `xsd:string`); a class has
    neither."""

    name: str
    label: str
    comment: str
    domain: tuple[str, ...] = ()
    range: str = ""

    @property
    def is_class(self) -> bool:
        return self.name[:1].isupper()

    @property
    def links(self) -> bool:
        """Whether the value is a resource (an IRI), not a literal."""
        return not self.range.startswith(("xsd:", "rdfs:Literal"))


def _one_of(words: tuple[str, ...] | list[str]) -> str:
    return "One of: " + ", ".join(words) + "."


_STANCE, _SIGNATURE, _RELATION = "kb:Stance", "kb:Signature", "kb:ClaimRelation"
_QUOTE, _SOURCE, _STATEMENT = "schema:Quotation", "schema:CreativeWork", "kb:Statement"
_TEXT = "xsd:string"
_NOTED = (_STANCE, _SIGNATURE, _RELATION, _QUOTE, _SOURCE, _STATEMENT, "schema:OrganizationRole")

TERMS: tuple[Term, ...] = (
    Term("Stance", "stance", "A person's position on a claim as of a date, resting on the "
         "quotes in kb:evidence or on the signatures in kb:signature."),
    Term("Signature", "signature", "A person's signature under a joint statement."),
    Term("Statement", "joint statement", "A public statement signed by many people (also a "
         "schema:CreativeWork): signing it counts as a stance on its kb:claim."),
    Term("ClaimRelation", "claim relation", "One claim supporting or contradicting another."),
    Term("agent", "agent", "The person who holds the stance or signed.", (_STANCE, _SIGNATURE),
         "schema:Person"),
    Term("claim", "claim", "The claim the stance or statement is about.",
         (_STANCE, _STATEMENT), "schema:Claim"),
    Term("position", "position", "The position taken on the claim. " + _one_of(POSITIONS),
         (_STANCE, _STATEMENT), _TEXT),
    Term("basis", "basis", "How the position is known: explicit (the quotes state it) or "
         "inferred (they imply it). " + _one_of(BASES), (_STANCE,), _TEXT),
    Term("probability", "probability", "The probability the person gives the claim, 0 to 1 "
         "(the low end when a range is given).", (_STANCE,), "xsd:double"),
    Term("probabilityHigh", "probability, high end", "The high end of a probability range.",
         (_STANCE,), "xsd:double"),
    Term("horizon", "horizon", "The time frame of the estimate, in the person's words.",
         (_STANCE,), _TEXT),
    Term("estimateOf", "estimate of", "What the probability is an estimate of, when it is "
         "narrower than the claim.", (_STANCE,), _TEXT),
    Term("estimateQuote", "estimate quote", "The quote that states the probability.",
         (_STANCE,), _QUOTE),
    Term("asOf", "as of", "The day the stance was recorded as held.", (_STANCE,), "xsd:date"),
    Term("evidence", "evidence", "A quote the stance rests on.", (_STANCE,), _QUOTE),
    Term("signature", "signature", "A signature that is evidence for the stance: its person "
         "signed a statement on its claim.", (_STANCE,), _SIGNATURE),
    Term("statement", "statement", "The statement signed.", (_SIGNATURE,), _STATEMENT),
    Term("seenIn", "seen in", "Where the signature was seen (a signatory list).",
         (_SIGNATURE,), "schema:URL"),
    Term("from", "from", "The claim that supports or contradicts.", (_RELATION,),
         "schema:Claim"),
    Term("to", "to", "The claim supported or contradicted.", (_RELATION,), "schema:Claim"),
    Term("relation", "relation", "How the first claim bears on the second. "
         + _one_of(RELATION_KINDS), (_RELATION,), _TEXT),
    Term("note", "note", "An editor's note on the record.", _NOTED, _TEXT),
    Term("readerNote", "note for readers", "A note on the record written for readers: the one "
         "its page shows.", (_STANCE, _RELATION, _SOURCE), _TEXT),
    Term("dateNote", "date note", "Why the source's date is uncertain or approximate.",
         (_SOURCE,), _TEXT),
    Term("locator", "locator", "Where in the source the words are: a page, a timestamp.",
         (_QUOTE,), _TEXT),
    Term("speakerAffiliation", "speaker's affiliation", "The speaker's affiliation when the "
         "words were said, as the source gives it.", (_QUOTE,), _TEXT),
    Term("attribution", "attribution", "How the words are attributed to the speaker. "
         + _one_of(ATTRIBUTIONS), (_QUOTE,), _TEXT),
    Term("checked", "checked", "How the quote was checked. " + _one_of(CHECKED_HOW),
         (_QUOTE,), _TEXT),
    Term("checkNote", "check note", "What the check found.", (_QUOTE,), _TEXT),
)  # fmt: skip
