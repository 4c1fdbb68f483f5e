"""A point's name is user text: escaped in messages, never a formula in a workbook."""

from __future__ import annotations

from datetime import date

from bot.matching.area import Area
from bot.services.price_notices import price_reminder_rows, prices_section
from bot.services.prices import add_point
from storage.database import Database

NAME = '<b onclick="x">超市</b>&amp;'


async def test_a_point_name_with_markup_is_escaped(db: Database) -> None:
    async with db.write() as uow:
        point = await add_point(uow, name=NAME, type="超市", area=Area("叶县"), now=0.0,
                                telegram_id=7)
        await uow.commit()
    async with db.read() as uow:
        section = await prices_section(uow, date(2026, 5, 9), Area("叶县"))
        (reminder,) = await price_reminder_rows(uow, date(2026, 5, 9))
    for text in (section, reminder.payload["text"]):
        assert "<b onclick" not in text and '&lt;b onclick="x"&gt;超市&lt;/b&gt;&amp;amp;' in text
    assert point.name == NAME
