"""Officials' commands: /digest and /short, for their own area only.

Every command checks the caller's role from the database itself (the router loads
the account in the update's unit of work): an official sees their area, an admin
the whole city. Both are reads, so a city's digest never holds anyone's write.
"""

from __future__ import annotations

from bot.handlers.request import Request
from bot.matching.area import CITY, Area
from bot.matching.days import read_day
from bot.services.digest import digest_replies, load_bundle, load_short
from bot.services.digest_text import render_short
from bot.services.price_notices import prices_section
from bot.texts import officials as texts
from bot.texts.html import split_message
from storage.records import User


def current_official(req: Request) -> User | None:
    """The caller if they are an active official (or admin), else None after a polite refusal."""
    user = req.account
    if user is None or user.status != "active" or not user.is_staff:
        req.say(texts.NOT_AN_OFFICIAL)
        return None
    return user


def area_of(official: User) -> Area:
    """Admins see the whole city; an official sees their own area only."""
    return official.area if official.role == "official" else CITY


async def digest_command(req: Request) -> None:
    """/digest [day]: the caller's area, today so far or a past day (昨天, 5月9日, 5.9 …)."""
    official = current_official(req)
    if official is None:
        return
    today = req.today
    day = today
    if req.args:
        asked = read_day(" ".join(req.args), today)
        if asked is None:
            req.say(texts.BAD_DATE)
            return
        if asked > today:
            req.say(texts.FUTURE_DATE)
            return
        day = asked
    found = await load_bundle(req.uow, area_of(official), day, req.services.settings.timezone,
                              now=req.now,
                              delivery_late_hours=req.services.settings.delivery_late_hours)
    for message in digest_replies(found):
        req.say(message)
    # The prices section of the day, where the area has monitoring points.
    if await req.uow.prices.points(area_of(official)):
        settings = req.services.settings
        req.say(await prices_section(req.uow, day, area_of(official), tz=settings.timezone,
                                     ratio=settings.price_sanity_ratio))


async def short_command(req: Request) -> None:
    """/short: the needs of the caller's area still unmatched right now, oldest first."""
    official = current_official(req)
    if official is None:
        return
    found = await load_short(req.uow, area_of(official), now=req.now)
    text = render_short(found.area.label, found.needs, found.unmatched, found.open_needs,
                        found.now, req.services.settings.timezone)
    for part in split_message(text):
        req.say(part)
