"""Use cases of people: sign-up, invites, regions, and refusing what a user may not do."""

from __future__ import annotations

from dataclasses import dataclass

from bot.matching.model import Place
from bot.matching.regions import get_gazetteer
from storage import audit, users
from storage.database import Database
from storage.records import Role, User

SELF_SERVICE_ROLES: tuple[Role, ...] = ("grower", "buyer")


class RegionError(ValueError):
    """A region text that names no place, or several; the message says which."""


@dataclass(frozen=True, slots=True)
class Region:
    """A county-level unit and optionally a township; both None means the whole city."""

    county: str | None = None
    township: str | None = None

    @property
    def label(self) -> str:
        return "".join(p for p in (self.county, self.township) if p) or "平顶山市"


def resolve_region(text: str) -> Region:
    """宝丰县, 宝丰县张八桥镇, 张八桥镇, 平顶山市 → a Region; RegionError when unclear."""
    text = text.strip()
    places = [p for p in get_gazetteer().resolve(text) if p.in_city] if text else []
    if not places:
        raise RegionError(f"{text!r} is not a county or township of 平顶山市")
    if len(places) > 1:
        options = ", ".join(p.label() for p in places)
        raise RegionError(f"{text!r} is ambiguous: {options}; name the county too")
    return Region(places[0].county, places[0].township)


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
