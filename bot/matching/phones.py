"""Chinese phone numbers as people type and share them, and the one form they are stored in.

A mobile is stored as its 11 digits (13812345678); a landline as its area code with
the trunk 0, a dash and the local number (0375-5678901). +86, 0086 and 86 in front
are dropped; one space, dot or dash (also — and –) may stand between any two digits
of a mobile (138 1234 5678, 1383751 2345, 138.3751.2222) and between a landline's
area code and number (0375—5678901, (0375)5678901). Area codes 010 and 020–029 have
three digits, all others four, so 03755678901 reads as 0375-5678901.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# One separator at most between two digits.
_GAP = "[ .\\-\u2010\u2011\u2012\u2013\u2014\u2015]?"
_MOBILE = rf"1[3-9]\d(?:{_GAP}\d){{8}}"
# An area code without its trunk 0: 10, 2x, or three digits from 3xx to 9xx.
_AREA = r"10|2\d|[3-9]\d\d"
_LOCAL = r"[2-9]\d{6,7}"
# A bare local number is read in a post only after a word that says it is one.
_PHONE_WORDS = r"电话|手机|联系|tel|电"
PHONE_PATTERN = re.compile(
    rf"(?<![\d.+])(?:(?:\+|00)?86{_GAP})?(?P<mobile>{_MOBILE})(?!\d)"
    rf"|(?<![\d.+])(?:(?:\+|00)86{_GAP}0?|0)(?P<area>{_AREA}){_GAP}(?P<local>{_LOCAL})(?!\d)"
    rf"|(?:{_PHONE_WORDS})\s*:?\s*(?P<bare>{_LOCAL})(?!\d)"
)
_BRACKETS = str.maketrans(dict.fromkeys("()（）[]【】", " "))


@dataclass(frozen=True, slots=True)
class PhoneMention:
    """A phone number found in a text: its stored form and where it was written."""

    number: str
    start: int
    end: int


def _stored(m: re.Match[str]) -> str:
    if m.group("mobile"):
        return re.sub(r"\D", "", m.group("mobile"))
    if m.group("area"):
        return f"0{m.group('area')}-{m.group('local')}"
    return m.group("bare")


def find_phone(text: str) -> PhoneMention | None:
    """The first phone number in a post (already normalised: NFKC, lower case), if any.

    A local number without its area code (电话5678901) is kept as written.
    """
    m = PHONE_PATTERN.search(text)
    return None if m is None else PhoneMention(_stored(m), m.start(), m.end())


def normalize_phone(text: str) -> str | None:
    """The stored form of a text that is one phone number with an area code or a mobile,
    else None (abc, a foreign number, a local number without its area code)."""
    text = unicodedata.normalize("NFKC", text).translate(_BRACKETS).strip()
    m = PHONE_PATTERN.fullmatch(re.sub(r"\s+", " ", text))
    if m is None or m.group("bare"):
        return None
    return _stored(m)


def stored_phone(value: str | None) -> str | None:
    """A phone as it should be stored: normalised when it is a number, else as it was.

    For the migration that brings numbers stored before there was one form into it.
    """
    if value is None:
        return None
    return normalize_phone(value) or value


# Local numbers written without an area code, and full-width digits, are masked too.
_BARE_DIGITS = re.compile(r"(?<!\d)\d{7,8}(?!\d)")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def mask_phones(text: str) -> str:
    """Keep the first three and last two digits of anything that looks like a phone number."""

    def mask(found: re.Match[str]) -> str:
        written = found.group(0)
        digits = [i for i, ch in enumerate(written) if ch.isdigit()]
        kept = {*digits[:3], *digits[-2:]}
        return "".join(
            "*" if ch.isdigit() and i not in kept else ch for i, ch in enumerate(written)
        )

    text = PHONE_PATTERN.sub(mask, text.translate(_WIDE_DIGITS))
    return _BARE_DIGITS.sub(mask, text)
