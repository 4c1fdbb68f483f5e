"""Texts of matches: what the poster sees, the notice to a counterpart, contact exchange."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.matching.model import PackSize
from bot.matching.units import in_jin, is_weight
from bot.texts import listings as fmt
from bot.texts.html import esc

INTEREST_BUTTON = "🤝 我有意向"
NUMBERED_INTEREST_BUTTON = "🤝 {n} 我有意向"


def summary(
    kind: str, product: str, amount: float | None, unit: str | None, written: float | None,
    written_unit: str | None, price: float | None, price_unit: str | None,
    price_bound: str | None,
) -> str:
    """求购 大白菜 2000 斤（1000 公斤），0.8 元/斤（1.6 元/公斤）以内."""
    return (
        f"{fmt.KIND_LABELS[kind]} <b>{esc(product)}</b> "
        f"{fmt.quantity(amount, unit, written, written_unit)}，"
        f"{fmt.price(price, price_unit, price_bound)}"
    )


def distance(tier: int | None, km: float | None) -> str:
    if tier == 0:
        return "同乡镇"
    if tier == 1:
        return "同县区"
    if km is not None:
        return f"约 {fmt.number(km)} 公里"
    return "市外" if tier == 3 else "市内"


def unit_name(unit: str | None, written: str | None = None) -> str:
    """A unit as the reader knows it: 箱 as is; kilograms as written (斤, 公斤, 吨), else 斤."""
    if unit == "kg":
        return written if written and is_weight(written) else "斤"
    return unit or "件"


def estimate(packs: Sequence[PackSize]) -> str:
    """按每箱约45斤估算: the catalogue's usual pack a match rests on (kilograms in 斤)."""
    parts = [
        f"每{p.package_unit}约{fmt.number(in_jin(p.amount))}斤" if p.amount_unit == "kg"
        else f"每{p.package_unit}约{fmt.number(p.amount)}{p.amount_unit}"
        for p in packs
    ]
    return f"按{'、'.join(parts)}估算"


def other_units(own: str, other: str) -> str:
    """Units that do not meet, the reader's first: 单位不同（箱/斤），请双方沟通."""
    return f"单位不同（{esc(own)}/{esc(other)}），请双方沟通"


# What a match line adds about where the pair stands; a new match needs no word.
MATCH_STATES = {
    "new": "",
    "other_interested": "👋 对方有意向，点下方按钮即可互换联系方式",
    "waiting_other": "⏳ 您已表示意向，等对方确认",
    "exchanged": "✅ 已交换联系方式，请查看之前的消息",
}


def match_line(
    n: int, summary_text: str, place: str, distance_text: str, state: str = "new",
    basis_note: str = "",
) -> str:
    """One numbered match: the counterpart, where it is, what its units rest on, and where
    the pair stands."""
    line = f"{n}. {summary_text}\n　📍 {fmt.place(place)}（{distance_text}）"
    if basis_note:
        line += f"\n　⚖️ {basis_note}"
    note = MATCH_STATES[state]
    return f"{line}\n　{note}" if note else line


def published(listing_id: int, match_lines: list[str]) -> str:
    head = f"✅ 已发布（编号 #{listing_id}）。"
    if not match_lines:
        return head + "\n暂时没有匹配的信息；有新的匹配会马上通知您。"
    return (
        head + f"\n\n为您找到 {len(match_lines)} 条匹配，近的在前：\n\n"
        + "\n".join(match_lines)
        + "\n\n有意向请点对应按钮；双方都有意向后互换联系方式。"
    )


def notice(
    own_kind: str, own_product: str, own_id: int, other_summary: str, place: str,
    distance_text: str, until: date | None, today: date, note: str = "",
) -> str:
    """The one notice a counterpart gets about a new listing that matches theirs."""
    other = "供应" if own_kind == "need" else "求购"
    return (
        f"🔔 有新的{other}信息匹配您的{fmt.KIND_LABELS[own_kind]}"
        f"（#{own_id} {esc(own_product)}）：\n\n"
        f"{other_summary}\n"
        f"📍 {fmt.place(place)}（{distance_text}）\n"
        + (f"⚖️ {note}\n" if note else "")
        + f"有效期至：{fmt.valid_until(until, today)}\n\n"
        "有意向请点下方按钮；双方都有意向后互换联系方式。"
    )


def interest_nudge(own_kind: str, own_product: str, own_id: int, other_summary: str,
                   place: str) -> str:
    return (
        f"👋 有人对您的{fmt.KIND_LABELS[own_kind]}（#{own_id} {esc(own_product)}）有意向：\n\n"
        f"{other_summary}\n📍 {fmt.place(place)}\n\n"
        "您也有意向的话请点下方按钮，双方的联系方式会发给彼此。"
    )


def contact_card(
    product: str, name: str, organisation: str, place: str, phone: str | None, telegram_id: int,
) -> str:
    """The counterpart's contact, sent only after both sides said 我有意向."""
    phone_line = (
        f"📞 {esc(phone)}" if phone
        else f'📞 未留手机号，可<a href="tg://user?id={telegram_id}">在 Telegram 上联系</a>'
    )
    return (
        f"🤝 双方都有意向（{esc(product)}），这是对方的联系方式：\n\n"
        f"👤 {esc(name) or '（未填）'}\n"
        f"🏢 {esc(organisation) or '个人'}\n"
        f"📍 {fmt.place(place)}\n"
        f"{phone_line}"
    )


INTEREST_RECORDED = "已告诉对方您有意向。对方也有意向时，会把双方联系方式发给您。"
INTEREST_EXCHANGED = "双方都有意向，联系方式马上发给您。"
INTEREST_ALREADY = "联系方式已经交换过了，请查看之前的消息。"
INTEREST_CLOSED = "这条信息已经关闭或过期了。"
PHONE_MISSING = "您还没有留手机号，对方只能通过 Telegram 联系您。点下方按钮可以补上。"
NO_OPEN_LISTINGS = "您还没有有效的信息。直接发一句话就能发布，如：出售大白菜5000斤，0.8元/斤"
NO_MATCHES = "您的信息暂时都没有匹配。有新的匹配会马上通知您。"


def matches_header(kind: str, product: str, listing_id: int) -> str:
    return f"<b>#{listing_id} {fmt.KIND_LABELS[kind]} {esc(product)}</b> 的匹配："
