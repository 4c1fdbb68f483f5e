"""Use cases of people: sign-up, invites, regions, and refusing what a user may not do."""

from __future__ import annotations

from dataclasses import dataclass

from bot.matching.model import CITY_NAME, Place
from bot.matching.regions import AreaReading, get_gazetteer
from storage import audit, users
from storage.database import Database
from storage.records import Role, User

SELF_SERVICE_ROLES: tuple[Role, ...] = ("grower", "buyer")


class RegionError(ValueError):
    """A region text that is not exactly one area of the city; the one-line message says
    why and names the nearest real places."""


@dataclass(frozen=True, slots=True)
class Region:
    """A county-level unit and optionally a township; both None means the whole city."""

    county: str | None = None
    township: str | None = None

    @property
    def label(self) -> str:
        return "".join(p for p in (self.county, self.township) if p) or "平顶山市"


_REGION_FORMS = f"give {CITY_NAME}, a county (宝丰县) or a township (宝丰县张八桥镇)"


def resolve_region(text: str) -> Region:
    """The area someone is given access to or asks about: 平顶山市, 宝丰县, 宝丰县张八桥镇,
    张八桥镇 → a Region. Never wider than what was asked: RegionError (one line, with the
    nearest real names) for anything that is not exactly one area of the city."""
    text = text.strip()
    reading = get_gazetteer().read_area(text)
    if reading.place is None:
        raise RegionError(_refusal(text, reading))
    return Region(reading.place.county, reading.place.township)


def _refusal(text: str, reading: AreaReading) -> str:
    """Why ``text`` is refused, in one line."""
    nearest = "、".join(reading.suggestions)
    if reading.problem == "empty":
        return f"no region given: {_REGION_FORMS}"
    if reading.problem == "outside":
        return f"region {text!r} is outside {CITY_NAME}: {_REGION_FORMS}"
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
        hint = f"nearest: {nearest}" if nearest else _REGION_FORMS
    return f"unknown region {text!r}: " + "; ".join(p for p in (where, hint) if p)


def region_of(place: Place) -> Region:
    return Region(place.county, place.township)


async def sign_up(
    db: Database, telegram_id: int, *, role: Role, name: str, organisation: str,
    region: Region, phone: str | None,
) -> User:
    """A grower or buyer signs themselves up (or updates their profile)."""
    if role not in SELF_SERVICE_ROLES:
        raise ValueError(f"{role} cannot sign up by themselves")
    user = await users.upsert_user(
        db, telegram_id, role=role, name=name, organisation=organisation, phone=phone,
        county=region.county, township=region.township,
    )
    await audit.audit(db, telegram_id, "user.sign_up", f"user:{telegram_id}", role=role)
    return user


async def refuse(
    db: Database, user_id: int | None, what: str, reason: str
) -> None:
    """Record a refused button press or command in the audit log."""
    await audit.audit(db, user_id, "security.refused_callback", what, reason=reason)
