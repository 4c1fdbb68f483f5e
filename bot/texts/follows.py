"""Texts of 关注: following a product, the notices, /following."""

from __future__ import annotations

from datetime import date

from bot.texts import listings as fmt
from bot.texts.html import esc

FOLLOW_BUTTON = "⭐ 关注{product}"
UNFOLLOW_BUTTON = "取消关注"
NUMBERED_UNFOLLOW_BUTTON = "取消关注 {n}"
USAGE = ("请这样写：/follow 大白菜，或加上地区：/follow 大白菜 宝丰县。"
         "有新的信息会通知您（每天最多 {cap} 条）。")
UNKNOWN_PRODUCT = "没找到商品「{product}」，请写常见的名称，如：大白菜、土豆、鸡蛋。"
UNKNOWN_AREA = "没找到地区「{area}」，请写县区或乡镇的全名，如：宝丰县、宝丰县张八桥镇。"
OUTSIDE_OWN_AREA = "您只能关注自己辖区（{own}）内的信息，「{area}」不在其中。"
NONE = "您还没有关注任何商品。发送 /follow 大白菜 即可关注。"
REMOVED = "已取消关注。"
GONE = "这个关注已经取消了。"


def where(area_label: str | None) -> str:
    return esc(area_label) if area_label else "全市"


def followed(product: str, area_label: str | None, new: bool, cap: int) -> str:
    head = "⭐ 已关注" if new else "您已经关注了"
    return (f"{head} {esc(product)}（{where(area_label)}）。有新的信息会通知您，"
            f"每天最多 {cap} 条。/following 查看和取消。")


def following(lines: list[str]) -> str:
    return "您关注的商品：\n" + "\n".join(lines)


def following_line(n: int, product: str, area_label: str | None) -> str:
    return f"{n}. {esc(product)}（{where(area_label)}）"


def notice(product: str, area_label: str | None, listing_id: int, summary: str, place: str,
           until: date | None, today: date) -> str:
    """A new listing of a followed product."""
    return (
        f"⭐ 您关注的 {esc(product)}（{where(area_label)}）有新信息（#{listing_id}）：\n\n"
        f"{summary}\n📍 {fmt.place(place)}\n"
        f"有效期至：{fmt.valid_until(until, today)}\n\n"
        "发布您自己的供求信息后，我们会为您匹配并交换联系方式。"
    )

NOT_FOR_ROLE = (
    "关注是给种植户、采购方和政府人员的：关注的品种有新信息时告诉您。"
    "市民和热线请用 /ticket 反映诉求。"
)
