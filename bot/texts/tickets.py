"""Texts of the supply hotline's tickets (诉求): filing, the card, each change, reminders."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.texts.html import esc
from bot.texts.prices import unit_label

if TYPE_CHECKING:
    from bot.matching.monitoring import ItemFigures

# The hotline's commands in the command menus of citizens, hotline operators and officials.
FILER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("ticket", "反映诉求（保供服务热线），如 /ticket 缺货 小区买不到面粉"),
    ("tickets", "我反映的诉求和办理进展"),
    ("help", "使用说明"),
    ("cancel", "取消当前操作"),
)
OFFICIAL_COMMANDS: tuple[tuple[str, str], ...] = (
    ("tickets", "诉求：本辖区待办的保供热线诉求，超时的在前"),
)

FILER_HELP = (
    "<b>保供服务热线</b>\n"
    "买不到、涨价、送不到、车辆通行、质量等问题，发一句话登记：\n"
    "• /ticket 缺货 小区超市买不到面粉\n"
    "• /ticket 价格 鸡蛋一天涨了两块 宝丰县张八桥镇\n"
    "也可以只发 /ticket，按提示选类别、写内容和地点。\n"
    "每条诉求有编号（如 RX-20260509-0042），办理进展会发给您；办结后请评价。\n"
    "/tickets 查看您的诉求"
)
OPERATOR_HELP = "热线接线员：/ticket 后先输入来电人的称呼和电话，再按提示登记。"
OFFICIAL_HELP = (
    "<b>保供服务热线</b>：派到本辖区的诉求会发给您，点按钮接单、办理、答复、办结；"
    "缺货诉求可一键转为求购信息。/tickets 查看待办诉求，超时的在前。"
)

CLASS_LABELS = {"urgent": "紧急", "help": "求助", "complaint": "投诉"}

# Buttons of the card, by action (labels of the close reasons and ratings are the values).
TAKE = "📥 接单"
START = "🛠 开始办理"
ANSWER = "💬 答复"
TO_NEED = "🛒 转为求购信息"
CLOSE = "办结：{reason}"
RATE = "{rating}"
CATEGORY_BUTTON = "{category}"
USE_MY_PLACE = "就在我登记的地点（{place}）"

ASK_CALLER = "来电人的称呼和电话？如：张女士 13812345678"
CALLER_NO_PHONE = "没看到手机号或带区号的座机号。请输入来电人的称呼和电话，如：张女士 13812345678"
ASK_CATEGORY = "这条诉求属于哪一类？"
ASK_WHAT = "请简单说说是什么事？（如：小区里买不到面粉，已经三天了）"
ASK_WHERE = "在哪里？请输入县区加乡镇/街道，如：宝丰县张八桥镇。"
WHERE_UNKNOWN = "没找到这个地方。请输入县区加乡镇/街道，如：宝丰县张八桥镇。"
WHERE_AMBIGUOUS = "有几个地方叫这个名字（{names}），请写上县区，如：宝丰县张八桥镇。"
WHAT_TOO_LONG = "内容太长了，请控制在 {limit} 个字以内。"
WHAT_EMPTY = "请写一句话说明情况。"
ASK_ANSWER = "请输入给 {number} 的答复内容（会转告反映人）："
FILERS_ONLY = "只有市民、经营者和热线接线员可以登记诉求。工作人员请处理派给本辖区的诉求。"
NOT_A_TRADER = (
    "市民和热线接线员请用 /ticket 反映诉求，例如：/ticket 缺货 小区买不到面粉 宝丰县张八桥镇"
)
NO_TICKETS = "没有需要处理的诉求。"
TICKETS_TITLE = "📋 <b>诉求</b>（{count} 件）："

REFUSALS = {
    "not_allowed": "您不能处理这条诉求。",
    "wrong_state": "这条诉求已经处理到别的环节了。",
    "changed": "这条诉求刚被别人处理过，请看最新状态。",
    "gone": "没有这条诉求。",
    "bad_value": "您不能处理这条诉求。",
    "not_shortage": "只有「缺货」诉求可以转为求购信息。",
    "has_need": "这条诉求已经转为求购信息了。",
    "no_product": "从诉求里看不出是什么商品，无法转为求购信息。",
    "closed": "这条诉求已经办结，不能再转为求购信息。",
}


def when(ts: float, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(ts, tz).strftime("%m月%d日 %H:%M")


def card(
    number: str, state: str, category: str, ticket_class: str, what: str, place: str,
    owner_area: str, deadline: str, *, caller_name: str = "", caller_phone: str | None = None,
    answer: str | None = None, close_reason: str | None = None, rating: str | None = None,
    need_id: int | None = None, overdue: bool = False, monitored: str | None = None,
) -> str:
    """A ticket as a card; the caller's phone only when the viewer may see it."""
    lines = [
        f"📞 <b>诉求 {esc(number)}</b>（{CLASS_LABELS.get(ticket_class, ticket_class)}）",
        f"状态：{esc(state)}" + (f"（{esc(close_reason)}）" if close_reason else "")
        + (f"，回访：{esc(rating)}" if rating else ""),
        f"类别：{esc(category)}",
        f"内容：{esc(what)}",
        f"地点：{esc(place)}",
        f"承办：{esc(owner_area)}",
        f"办理时限：{deadline}" + ("（⚠️ 已超时）" if overdue else ""),
    ]
    if caller_name or caller_phone:
        caller = " ".join(p for p in (esc(caller_name), esc(caller_phone or "")) if p)
        lines.append(f"来电人：{caller}")
    if answer:
        lines.append(f"答复：{esc(answer)}")
    if need_id is not None:
        lines.append(f"已转为求购信息 #{need_id}")
    if monitored:
        lines.append(monitored)
    return "\n".join(lines)


NOT_MONITORED_TODAY = "📊 今日监测价：{product} 暂无监测数据"


def monitored_price(product: str, region: str, item: ItemFigures) -> str:
    """The day's monitored price of ``product`` in ``region``, for a price ticket's card."""
    change = ("" if item.change_1d_pct is None
              else f"，较昨日 {item.change_1d_pct:+.1f}%")
    return (f"📊 今日监测价（{esc(region)}）：{esc(product)} 均价 {item.avg:.2f}元/"
            f"{unit_label(item.unit)}（{item.min:.2f}–{item.max:.2f}，"
            f"{item.points}个监测点）{change}")


def filed(number: str, owner_area: str, deadline: str) -> str:
    return (
        f"✅ 诉求已受理，编号 <b>{esc(number)}</b>（查询时请报这个编号）。\n"
        f"已转{esc(owner_area)}办理，时限 {deadline} 前。办理进展会在这里告诉您。"
    )


def new_for_officials(card_text: str) -> str:
    return "🆕 新诉求派到本辖区，请接单办理：\n\n" + card_text


def changed_for_filer(number: str, state: str, *, answer: str | None = None,
                      close_reason: str | None = None, rating: str | None = None) -> str:
    """What the filer hears of a change of their ticket."""
    head = f"📞 您的诉求 <b>{esc(number)}</b>："
    if state == "派单":
        return head + "已派给承办人员。"
    if state == "办理中" and rating == "不满意":
        return head + "您选择了不满意，已重新交办，承办人员会继续处理。"
    if state == "办理中":
        return head + "正在办理。"
    if state == "已答复":
        return head + f"已答复：{esc(answer or '')}"
    if state == "办结":
        return (head + f"已办结（{esc(close_reason or '')}）。\n请您评价办理结果：")
    if state == "回访":
        return head + "感谢您的评价（满意）。"
    return head + f"状态：{esc(state)}"


def reopened_for_owner(number: str, deadline: str) -> str:
    return f"↩️ 诉求 <b>{esc(number)}</b> 的反映人不满意，已重新打开，请在 {deadline} 前办理。"


def reminder(card_text: str, deadline: str) -> str:
    return f"⏰ 诉求快到时限了（{deadline}），请尽快办理：\n\n" + card_text


def escalated(card_text: str, below: str) -> str:
    return f"⚠️ 诉求已超过办理时限，{esc(below)}未办结，现提级到本级督办：\n\n" + card_text


def need_published(number: str, need_id: int, product: str) -> str:
    return (f"🛒 诉求 <b>{esc(number)}</b> 已转为求购信息 #{need_id}（{esc(product)}），"
            "有供应方匹配时会通知。")


def need_published_for_filer(number: str, product: str) -> str:
    return (f"📞 您的诉求 <b>{esc(number)}</b>：已在平台发布{esc(product)}求购信息，"
            "正在为您联系供应方。")


def need_matched(number: str, product: str) -> str:
    return (f"📞 您的诉求 <b>{esc(number)}</b>：平台上已有供应方能供应{esc(product)}，"
            "承办人员正在对接。")


def overdue_title(count: int) -> str:
    return f"⚠️ <b>超时未办结的诉求</b>（{count} 件）："


def overdue_line(number: str, category: str, place: str, what: str, owner_area: str,
                 hours_late: float) -> str:
    return (f"• {esc(number)} {esc(category)} {esc(place)}：{esc(what[:40])}"
            f"（{esc(owner_area)}，超时 {int(hours_late)} 小时）")
