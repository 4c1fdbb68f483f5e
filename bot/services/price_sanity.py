"""Offers' prices against the day's monitored prices: a price at ``FARMDOCK_PRICE_SANITY_
RATIO`` (1.5) times the city's average or more is confirmed with its poster and listed
for officials (possible 哄抬物价); one within ±3% of twice or half of it is asked whether
it meant 斤 or 公斤 (see :func:`bot.matching.monitoring.listing_price_check`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.matching.area import Area
from bot.matching.basket import get_basket
from bot.matching.monitoring import listing_price_check, per_kg
from bot.matching.units import price_per_jin
from bot.services.prices_text import money
from bot.texts import prices as texts
from bot.texts.html import esc
from storage.interfaces import UnitOfWork
from storage.records import Listing

WEIGHT_PRICE_UNIT = "kg"


@dataclass(frozen=True, slots=True)
class PriceFlag:
    product: str
    price_per_kg: float
    monitored_per_kg: float
    reason: str  # "mixup" or "high"

    @property
    def times(self) -> float:
        return self.price_per_kg / self.monitored_per_kg


async def monitored_per_kg(uow: UnitOfWork, day: date,
                           products: Sequence[str]) -> dict[str, float]:
    """The city's average price per kg of each weighed basket product on ``day``."""
    basket = get_basket()
    wanted = [p for p in dict.fromkeys(products)
              if (i := basket.get(p)) is not None and i.dimension == "weight"]
    averages = await uow.prices.day_averages(day.isoformat(), wanted)
    found = {}
    for product in wanted:
        item = basket.get(product)
        assert item is not None
        avg = averages.get((product, item.unit))
        value = per_kg(item, avg) if avg is not None else None
        if value:
            found[product] = value
    return found


async def flag_offers(
    uow: UnitOfWork, day: date,
    offers: Sequence[tuple[str, str | None, float | None, str | None]], ratio: float,
) -> list[PriceFlag | None]:
    """For each (kind, product, price, price unit): its flag, or None."""
    monitored = await monitored_per_kg(
        uow, day, [p for kind, p, price, unit in offers
                   if kind == "offer" and p and price and unit == WEIGHT_PRICE_UNIT])
    flags: list[PriceFlag | None] = []
    for kind, product, price, unit in offers:
        avg = monitored.get(product or "") if kind == "offer" and unit == WEIGHT_PRICE_UNIT \
            else None
        reason = listing_price_check(price, avg, ratio) if avg and price else None
        flags.append(PriceFlag(product or "", price or 0, avg or 0, reason) if reason else None)
    return flags


def flag_text(flag: PriceFlag) -> str:
    """The question on the confirm card."""
    template = texts.LISTING_PRICE_MIXUP if flag.reason == "mixup" else texts.LISTING_PRICE_HIGH
    return template.format(product=esc(flag.product),
                           price=money(price_per_jin(flag.price_per_kg)),
                           avg=money(price_per_jin(flag.monitored_per_kg)),
                           times=f"{flag.times:.1f}")


async def high_offers(uow: UnitOfWork, day: date, listings: Sequence[Listing],
                      ratio: float) -> list[tuple[Listing, PriceFlag]]:
    """The offers among ``listings`` priced at ``ratio`` times the monitored average or more."""
    flags = await flag_offers(uow, day, [(x.kind, x.product, x.price, x.price_unit)
                                         for x in listings], ratio)
    return [(x, f) for x, f in zip(listings, flags, strict=True)
            if f is not None and f.times >= ratio - 1e-9]


async def high_offers_lines(uow: UnitOfWork, day: date, listings: Sequence[Listing],
                            ratio: float, area: Area) -> list[str]:
    """Officials' lines on the high offers of ``area`` among ``listings``."""
    found = [(x, f) for x, f in await high_offers(uow, day, listings, ratio)
             if area.contains(x.place)]
    if not found:
        return []
    lines = [texts.SECTION_HIGH_OFFERS.format(ratio=f"{ratio:g}")]
    lines.extend(texts.SECTION_HIGH_OFFER.format(
        product=esc(x.product), price=money(price_per_jin(f.price_per_kg)),
        avg=money(price_per_jin(f.monitored_per_kg)), times=f"{f.times:.1f}",
        place=esc(x.place.label()), id=x.id)
        for x, f in found)
    return lines
