"""Redaction: take a phone number, address or name out of a note and keep the rest.

The bot points out what looks like a phone number, e-mail address, postcode or street
address; a name it cannot recognise, so the moderator types it. What goes is replaced by one
marker, so readers see that something was taken out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

PLACEHOLDER = "[…]"
MIN_PIECE = 2

_STREETS = (
    "straat|weg|laan|plein|pad|dijk|kade|gracht|hof|steeg|singel|dreef|allee|park|baan|"
    "veld|erf|hoek|markt|ring|berg|dal|wijk|plantsoen|street|road|lane|avenue|square"
)
_PATTERNS = (
    # Phone numbers: nine or more digits with the usual separators (06-12345678, +31 6 ...).
    re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[ .\-/()]{0,2}\d){8,14}(?!\w)"),
    # E-mail addresses.
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # Dutch postcodes: 1234 AB.
    re.compile(r"(?<!\w)\d{4} ?[A-Z]{2}(?!\w)"),
    # A street and house number: Kerkstraat 12, Utrechtseweg 5a, (Lange) Dreef 3.
    re.compile(
        r"(?<!\w)(?:[A-ZÀ-Ý][^\W\d_]*(?:" + _STREETS + r")|" + _STREETS.title() + r")"
        r"\s+\d{1,4}(?:\s?[a-zA-Z])?(?!\w)"
    ),
)

Span = tuple[int, int]


class ContactKind(StrEnum):
    """What kind of contact detail a piece of text looks like."""

    PHONE = "phone"
    EMAIL = "email"
    POSTCODE = "postcode"
    ADDRESS = "address"


_KINDS = (ContactKind.PHONE, ContactKind.EMAIL, ContactKind.POSTCODE, ContactKind.ADDRESS)


def contact_details_in(text: str) -> list[ContactKind]:
    """The kinds of contact details a note seems to hold, so its writer is asked before it shows.

    For the chat and the web form alike: a phone number, e-mail, postcode or street address in
    a public note is asked about once; nothing is taken out without the writer's word.
    """
    # Asked of every note as it comes in: the e-mail pattern, the slowest, only near an @.
    return [
        kind
        for kind, pattern in zip(_KINDS, _PATTERNS, strict=True)
        if (kind != ContactKind.EMAIL or "@" in text) and pattern.search(text)
    ]


def without_contact_details(text: str) -> str:
    """The text with everything that looks like a contact detail replaced by the marker."""
    return apply(text, candidates(text))


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sort spans and join those that touch or overlap."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def candidates(text: str) -> list[Span]:
    """Spans of text that look like contact details, in order, not overlapping."""
    found = [m.span() for pattern in _PATTERNS for m in pattern.finditer(text)]
    return merge(found)


def find_all(text: str, piece: str) -> list[Span]:
    """Every place where piece occurs in text, ignoring case; nothing for a piece too short."""
    wanted = " ".join(piece.split())
    if len(wanted) < MIN_PIECE:
        return []
    # Spaces in the piece match any run of white space, so a name split over a line matches.
    pattern = r"\s+".join(re.escape(word) for word in wanted.split(" "))
    return [m.span() for m in re.finditer(pattern, text, flags=re.IGNORECASE)]


def apply(text: str, spans: Iterable[Span]) -> str:
    """Return text with every span replaced by the marker."""
    out: list[str] = []
    position = 0
    for start, end in merge(spans):
        start, end = max(0, start), min(len(text), end)
        if start < position:
            continue
        out.append(text[position:start])
        out.append(PLACEHOLDER)
        position = end
    out.append(text[position:])
    return "".join(out)


def uncovered(found: Iterable[Span], taken: Iterable[Span]) -> list[Span]:
    """The found spans that do not overlap any taken span."""
    done = merge(taken)
    return [
        (start, end)
        for start, end in found
        if not any(start < t_end and t_start < end for t_start, t_end in done)
    ]
