"""Texts of /mine: my open listings and what I can do with each."""

from __future__ import annotations

from datetime import date

from bot.texts import listings as fmt

# (action, button text) in the order shown under each listing.
BUTTONS = (
    ("qty", "改数量"),
    ("price", "改价格"),
    ("renew", "续期"),
    ("done", "✅ 已成交"),
    ("close", "关闭"),
)
NONE_OPEN = "您没有有效的信息。直接发一句话就能发布，如：出售大白菜5000斤，0.8元/斤"
HEADER = "您有 {count} 条有效信息："
ASK_QUANTITY = "#{id} 的新数量是多少？如：3000斤。/cancel 取消。"
ASK_PRICE = "#{id} 的新价格是多少？如：0.9元/斤，或「面议」。/cancel 取消。"
NOT_UNDERSTOOD_QUANTITY = "没看懂数量，请这样写：3000斤、2吨、100箱。"
NOT_UNDERSTOOD_PRICE = "没看懂价格，请这样写：0.9元/斤、120元/箱，或「面议」。"
# A value outside its plausible range: the parser's reason, which states the range.
REFUSED = "{reason}。请重新输入，/cancel 取消。"
UPDATED = "✅ 已更新。"
RENEWED = "✅ 已续期至 {until}。"
DONE = "🎉 已标记成交，这条信息不再匹配。"
CLOSED = "已关闭，这条信息不再匹配。"
GONE = "这条信息已经关闭或过期了。"


def listing(listing_id: int, summary: str, place: str, until: date | None, today: date) -> str:
    return (
        f"#{listing_id} {summary}\n"
        f"📍 {fmt.place(place)}　有效期至：{fmt.valid_until(until, today)}"
    )
