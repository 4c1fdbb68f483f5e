"""Texts of posting: the confirm card and the questions for missing fields."""

from __future__ import annotations

from datetime import date

from bot.texts import listings as fmt
from bot.texts.html import esc
from bot.texts.registration import EXAMPLE_POSTS

CONFIRM = "✅ 确认发布"
EDIT = "✏️ 修改"
CANCEL = "❌ 取消"
NEGOTIABLE = "面议"
MY_PLACE = "📍 {place}（我的所在地）"
WHOLE_COUNTY = "只填到{county}"
DAYS = "{days}天"
DEFAULT_DAYS = "✔ {days}天"
FIELD_LABELS = {
    "kind": "供/求", "product": "品名", "quantity": "数量", "price": "价格",
    "place": "地点", "validity": "有效期",
}
KIND_BUTTONS = {"offer": "🌾 出售/供应", "need": "🛒 求购/采购"}

ASK = {
    "kind": "这条是出售还是求购？",
    "category": "是哪一类产品？点按钮，或直接输入品名（如：大白菜）。",
    "product": "是什么产品？点按钮，或直接输入品名。",
    "quantity": "数量是多少？如：5000斤、2吨、300箱。",
    "price": "价格是多少？如：0.8元/斤、120元/箱。没有定价请点「面议」。",
    "place": "在哪里？点按钮，或输入地名（如：宝丰县张八桥镇）。",
    "validity": "有效期几天？点按钮，或输入天数。",
}
ASK_TOWNSHIP = "<b>{county}</b> 的哪个乡镇/街道？"
PLACE_AMBIGUOUS = "有几个地方叫这个名字，您指的是："
NOT_UNDERSTOOD = "没看懂。{question}"
# A value outside its plausible range: the parser's reason (with the range), then the question.
REFUSED = "{reason}。\n{question}"
WHICH_FIELD = "要修改哪一项？"
# A card of several products: each can be fixed or taken off before all are published.
CONFIRM_ALL = "✅ 全部发布（{count}条）"
PICK = "✏️ 改第{n}条"
REMOVE = "🗑 删第{n}条"
WHICH_FIELD_OF = "要修改第{n}条（{product}）的哪一项？"
# A sold-out notice (白菜已经卖完了) from someone with listings of that product still open.
SOLD_OUT_OPEN = (
    "您还有 {count} 条{product}的信息在发布中。卖完了请点下面的按钮关闭，免得再有人联系："
)
SOLD_OUT_NONE = "好的。您现在没有{product}的信息在发布中。"
CLOSE_SOLD_OUT = "✅ 已售完，关闭 #{id}"
CANCELLED = "已取消，这条信息没有发布。"
HELD_DROPPED = "已放弃，这条信息没有发布。"
RESUME = "▶️ 继续"
DROP = "🗑 放弃"
PUBLISHING_FAILED = "发布没有成功，请再点一次「确认发布」。"
STEPS_START = {"offer": "发布<b>供应</b>信息，共几步，随时 /cancel 取消。",
               "need": "发布<b>求购</b>信息，共几步，随时 /cancel 取消。"}


def card(
    *, kind: str, product: str, category: str | None, quantity: str, price: str, place: str,
    until: date | None, today: date,
) -> str:
    """What the bot understood of a post, for the user to confirm or fix."""
    return (
        f"📋 请确认您的<b>{fmt.KIND_LABELS[kind]}</b>信息：\n\n"
        f"品名：<b>{esc(product)}</b>（{esc(category or '其他')}）\n"
        f"数量：{quantity}\n"
        f"价格：{price}\n"
        f"地点：{fmt.place(place)}\n"
        f"有效期至：{fmt.valid_until(until, today)}"
    )


def multi_card(
    *, kind: str, items: list[tuple[str, str | None, str, str]], place: str,
    until: date | None, today: date,
) -> str:
    """Several products of one post (品名, 类别, 数量, 价格 each), for the user to confirm,
    fix or take off one by one; they share the kind, the place and the validity."""
    lines = "\n".join(
        f"{n}. <b>{esc(product)}</b>（{esc(category or '其他')}）　数量：{quantity}　价格：{price}"
        for n, (product, category, quantity, price) in enumerate(items, 1)
    )
    return (
        f"📋 请确认您的<b>{fmt.KIND_LABELS[kind]}</b>信息（共 {len(items)} 条）：\n\n"
        f"{lines}\n\n"
        f"地点：{fmt.place(place)}\n"
        f"有效期至：{fmt.valid_until(until, today)}"
    )


def published_card(card_text: str) -> str:
    return card_text.replace("请确认您的", "已发布的", 1)


# Small talk (你好, 谢谢, 好的) is answered in one line that says what to do next.
CHATTER_OPENERS = {"greeting": "您好！", "thanks": "不客气！", "ack": "好的。"}
CHATTER_NEXT = {
    "grower": "要发布供应，直接发一句话，如：{example}",
    "buyer": "要发布求购，直接发一句话，如：{example}",
    "admin": "要发布，直接发一句话，如：{example}",
    "official": "发送 /digest 查看辖区今天的日报，/help 查看全部功能。",
}
CHATTER_NOT_SIGNED_UP = "发送 /start 注册，几步就好，之后直接发一句话就能发布供求信息。"
CHATTER_CARD_WAITING = "上面的信息确认无误请点「确认发布」，要改请点「修改」。"


def chatter_reply(kind: str, role: str | None, card_waiting: bool) -> str:
    """The one-line answer to small talk, for the caller's role (None: not signed up)."""
    if card_waiting:
        then = CHATTER_CARD_WAITING
    elif role is None:
        then = CHATTER_NOT_SIGNED_UP
    else:
        example = EXAMPLE_POSTS.get(role, EXAMPLE_POSTS["grower"])
        then = CHATTER_NEXT.get(role, CHATTER_NEXT["grower"]).format(example=example)
    return CHATTER_OPENERS.get(kind, "") + then


def held_back(product: str | None) -> str:
    """Offered back after a newer post: the draft that was waiting when it came."""
    what = f"（{esc(product)}）" if product else ""
    return f"上一条信息{what}还没发布：继续填写，还是放弃？"
