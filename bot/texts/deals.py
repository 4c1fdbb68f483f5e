"""Texts of 成交了吗: the question, the answers and the quantity dealt."""

from __future__ import annotations

from bot.matching.deals import Amount, Price
from bot.matching.units import in_jin
from bot.texts import listings as fmt
from bot.texts.html import esc

DONE_BUTTON = "✅ 成交了"
TALKING_BUTTON = "💬 还在谈"
NO_BUTTON = "❌ 没成交"
TAKE_BUTTON = "按 {amount} 成交"
CLOSE_BUTTON = "✅ 关闭这条信息"


def amount(value: Amount) -> str:
    """5000 斤（2500 公斤）; 300 箱."""
    if value.unit == "kg":
        return fmt.quantity(value.quantity, "kg", in_jin(value.quantity), "斤")
    return fmt.quantity(value.quantity, value.unit, None, None)


def price(value: Price) -> str:
    return fmt.price(value.value, value.unit, None)


def question(own_kind: str, product: str, own_id: int, other_summary: str,
             counterpart: str, second: bool) -> str:
    """成交了吗: asked of one side a day after the contact exchange (and once more)."""
    head = "🤔 再问一次：" if second else "🤔 "
    return (
        f"{head}您的{fmt.KIND_LABELS[own_kind]}（#{own_id} {esc(product)}）"
        f"和 {esc(counterpart)} 的对接成交了吗？\n\n"
        f"对方：{other_summary}\n\n"
        "请点下方按钮告诉我们，这能帮助政府掌握保供对接的成效。"
    )


def ask_amount(listing_id: int, proposed: Amount | None, listed: Price | None) -> str:
    lines = [f"🎉 好的！#{listing_id} 成交了多少？请输入数量，也可以加上价格，如："
             "「3000斤 0.8元/斤」。"]
    if proposed is not None:
        lines.append(f"也可以直接点下方按钮：按 {amount(proposed)}"
                     + (f"、{price(listed)}" if listed is not None else "") + " 记录。")
    lines.append("/cancel 取消。")
    return "\n".join(lines)


def recorded(dealt: Amount | None, left: Amount | None) -> str:
    text = "✅ 已记录成交" + (f"：{amount(dealt)}" if dealt is not None else "") + "。"
    if left is not None:
        text += f"\n这条信息还剩 {amount(left)}。"
    return text


def nothing_left(listing_id: int) -> str:
    return (f"#{listing_id} 已经没有剩余数量了。要关闭这条信息吗？关闭后不再匹配；"
            "如仍有货，可用 /mine 改数量。")


TALKING = "好的，祝谈得顺利！明天这个时候我们再问您一次。"
TALKING_LAST = "好的，祝谈得顺利！成交后可以在 /mine 里改数量或标记已成交。"
NOT_DONE = "好的，已记录没有成交。有新的匹配会继续通知您。"
ALREADY = "这次对接您已经回答过了，谢谢！"
NOT_UNDERSTOOD = "没看懂数量，请这样写：3000斤、2吨、100箱（可加价格：0.8元/斤）。/cancel 取消。"
WRONG_UNIT = "请用这条信息的单位（{unit}）写数量，如：{example}。/cancel 取消。"
GONE = "这次对接已经找不到了。"

# The digest's deals section (成交).
DIGEST_HEADING = "<b>✅ 成交</b>：当日 {today} 笔，累计 {to_date} 笔"
DIGEST_RATE = "累计交换联系方式 {exchanges} 对，成交率 {rate}"
DIGEST_PRICE = "成交价平均为挂牌价的 {pct}"
DIGEST_NO_FIGURE = "—"
DIGEST_TODAY = "当日按品种："
DIGEST_TO_DATE = "累计按分类："
DIGEST_LINE = "· {name}：{volumes}"
DIGEST_NO_QUANTITY = "数量未填"
