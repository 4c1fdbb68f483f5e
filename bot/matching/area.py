"""An area of the city: the whole city, one county-level unit, or one township.

What an official covers, what a digest or a report is about, where a shortage is
escalated. One type for all of them, with the one way to tell whether a place lies
inside (``contains``) and the one strict way to read an area someone types
(:func:`resolve_area`): never wider than what was asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.matching.model import CITY_NAME, Place
from bot.matching.regions import AreaReading, get_gazetteer

Level = Literal["city", "county", "township"]
LEVELS: tuple[Level, ...] = ("township", "county", "city")  # lowest first


@dataclass(frozen=True, slots=True)
class Area:
    """``county`` None is the whole city; a township always comes with its county."""

    county: str | None = None
    township: str | None = None

    def __post_init__(self) -> None:
        if self.township is not None and self.county is None:
            raise ValueError("a township area needs its county-level unit")

    @classmethod
    def of(cls, county: str | None, township: str | None) -> Area:
        """The area stored as (county, township) columns; a township without its county
        is read as the whole city, never as a wider area than the columns say."""
        return cls(county, township if county else None)

    @property
    def level(self) -> Level:
        if self.county is None:
            return "city"
        return "county" if self.township is None else "township"

    @property
    def label(self) -> str:
        """平顶山市, 宝丰县, 宝丰县张八桥镇."""
        if self.county is None:
            return CITY_NAME
        return self.county + (self.township or "")

    def contains(self, place: Place) -> bool:
        """Whether ``place`` lies in this area (a place outside the city lies in none)."""
        if place.outside:
            return False
        if self.county is None:
            return True
        if place.county != self.county:
            return False
        return self.township is None or place.township == self.township

    def covers(self, other: Area) -> bool:
        """Whether all of ``other`` lies in this area (an official may follow, ask about or
        be given only what their own area covers)."""
        if self.county is None:
            return True
        if other.county != self.county:
            return False
        return self.township is None or other.township == self.township

    def up(self) -> Area | None:
        """The area one level up (a township's county, a county's city); None for the city."""
        if self.township is not None:
            return Area(self.county)
        return Area() if self.county is not None else None


CITY = Area()


class AreaError(ValueError):
    """A text that is not exactly one area of the city; the one-line message says why and
    names the nearest real places."""


_FORMS = f"give {CITY_NAME}, a county (宝丰县) or a township (宝丰县张八桥镇)"


def resolve_area(text: str) -> Area:
    """The area someone is given access to or asks about: 平顶山市, 宝丰县, 宝丰县张八桥镇,
    张八桥镇. Never wider than what was asked: :class:`AreaError` (one line, with the
    nearest real names) for anything that is not exactly one area of the city."""
    text = text.strip()
    reading = get_gazetteer().read_area(text)
    if reading.place is None:
        raise AreaError(_refusal(text, reading))
    return Area(reading.place.county, reading.place.township)


def _refusal(text: str, reading: AreaReading) -> str:
    """Why ``text`` is refused, in one line."""
    nearest = "、".join(reading.suggestions)
    if reading.problem == "empty":
        return f"no region given: {_FORMS}"
    if reading.problem == "outside":
        return f"region {text!r} is outside {CITY_NAME}: {_FORMS}"
    if reading.problem == "several":
        return f"region {text!r} names more than one place ({nearest}): give one"
    if reading.problem == "ambiguous":
        return f"region {text!r} is ambiguous ({nearest}): give the full name"
    if reading.problem == "mismatch":
        return (f"region {text!r} is inconsistent: {reading.part} is not in {reading.county}; "
                f"did you mean {' or '.join(reading.suggestions)}?")
    if reading.county is not None:
        where = f"{reading.part} is not a township of {reading.county}"
    elif reading.part != "".join(text.split()):
        where = f"{reading.part} is not a place of {CITY_NAME}"
    else:
        where = ""
    if len(reading.suggestions) == 1:
        hint = f"did you mean {nearest}?"
    else:
        hint = f"nearest: {nearest}" if nearest else _FORMS
    return f"unknown region {text!r}: " + "; ".join(p for p in (where, hint) if p)
