"""A 价格 (price) ticket shows the day's monitored price of the products it names, so the
official answering a complaint about a price sees at once what the markets charge."""

from __future__ import annotations

from datetime import date

from bot.matching.area import CITY, Area
from bot.matching.basket import get_basket
from bot.matching.parser import parse_listings
from bot.services.prices import load_table
from bot.texts import tickets as texts
from storage.interfaces import UnitOfWork
from storage.records import Ticket

PRICE_CATEGORY = "价格"


def basket_products(what: str) -> list[str]:
    """The monitored products a ticket's text names, in the order named."""
    basket = {item.product for item in get_basket().items}
    named = [d.product for d in parse_listings(what) if d.product]
    return [p for i, p in enumerate(named) if p in basket and p not in named[:i]]


async def monitored_prices(uow: UnitOfWork, ticket: Ticket, day: date) -> str | None:
    """The card's line on the day's monitored prices (the ticket's county-level unit's,
    else the city's); None for other categories or a text that names no basket item."""
    if ticket.category != PRICE_CATEGORY:
        return None
    products = basket_products(ticket.what)
    if not products:
        return None
    areas = [Area(ticket.county), CITY] if ticket.county else [CITY]
    tables = [await load_table(uow, day, area, products) for area in areas]
    lines = []
    for product in products:
        found = next(((t.region, item) for t in tables for item in t.items
                      if item.product == product and item.avg is not None), None)
        lines.append(texts.monitored_price(product, *found) if found
                     else texts.NOT_MONITORED_TODAY.format(product=product))
    return "\n".join(lines)

