"""What officials read: command replies, digest headings, escalation and reminder wording.

Every user-facing string of the officials' features lives here, so wording is
reviewed in one place. Values are HTML-safe templates; fill them with
``html.escape``-d text only.
"""

from __future__ import annotations

from bot.texts.html import esc

NOT_AN_OFFICIAL = (
    "抱歉，此功能仅向市、县（区）、乡镇（街道）工作人员开放。如需开通，请联系市商务局。"
)
BAD_DATE = (
    "没看懂这个日期。可以这样输入：/digest（今天）、/digest 昨天、/digest 前天、"
    "/digest 5月9日、/digest 5.9、/digest 5/9 或 /digest 2026-05-09"
)
FUTURE_DATE = "这一天还没到，请输入今天或以前的日期。"

# The officials' commands in their own menu (setMyCommands for their chat), in menu order.
STAFF_COMMANDS: tuple[tuple[str, str], ...] = (
    ("digest", "日报：辖区今天或某天的供求，如 /digest 昨天"),
    ("short", "缺口：辖区内现在仍未匹配的需求"),
    # The daily price monitoring (日监测).
    ("prices", "价格：辖区今天的监测价格、预警和未报价的监测点"),
    ("points", "监测点：今天谁已报价"),
    ("addpoint", "添加监测点并生成报价员链接"),
)
HELP_COMMAND = ("help", "工作人员使用说明")


def official_help(area: str, digest_time: str, escalation_hours: float) -> str:
    """/help for an official: the digest, its date words, /short, and what escalations are."""
    township, county, city = (f"{escalation_hours * n:g}" for n in (1, 2, 3))
    return (
        "<b>工作人员使用说明</b>\n"
        f"您负责：{esc(area)}\n\n"
        f"• 每天 {digest_time} 自动收到辖区日报：新增供应和需求、匹配、缺口、价格，"
        "附 Excel 明细和图表。\n"
        "• /digest 查看今天到目前为止的日报；看某一天：/digest 昨天、/digest 前天、"
        "/digest 5月9日、/digest 5.9 或 /digest 2026-05-09。\n"
        "• /short 缺口：辖区内现在仍未匹配的需求。\n"
        f"• 缺口提醒：求购发布 {township} 小时仍未匹配到供应，会提醒所在乡镇（街道）的工作人员；"
        f"{county} 小时仍未匹配提醒县（区），{city} 小时提醒市里。"
        "收到后请协调货源。\n"
        "• 价格监测：/addpoint 名称 类型 [地区] 添加监测点（超市、农贸市场、批发市场），"
        "把返回的链接发给报价员；/pointlink 编号 再生成一个链接；/points 看今天谁已报价；"
        "/prices 看辖区今天的价格、涨幅预警和未报价的监测点。价格涨幅达到预警线时会自动提醒。"
    )
BUILDING = "正在生成{area}{day}的日报，请稍候……"
# To the operators, when one area's daily digest could not be built.
DIGEST_FAILED = (
    "⚠️ {area} {day} 的日报没有生成，该地区的工作人员暂未收到：<code>{error}</code>\n"
    "其他地区的日报照常发出。详情见日志；下次运行（或重启）时会再试。"
)
NO_DATA = "{area}{day}暂无供求信息。"

# -- the digest ---------------------------------------------------------------
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
DIGEST_TITLE = "<b>📋 {area} 生活物资购销日报</b>\n{month}月{day}日（{weekday}）"
DIGEST_AS_OF = "数据截至 {time}"
MOMENT = "{month}月{day}日 {time}"
DAY_END_MOMENT = "{month}月{day}日 24:00"
# Needs unmatched right now; each sentence is said only when its figures hold.
NOW_HEADING = "<b>⚠️ 现在仍未匹配的需求：{count} 条</b>（{time}，等得最久的在前）"
NOW_ALL_MATCHED = "✅ 现在（{time}）在架的 {open} 条求购均已匹配到供应，暂无缺口。"
NOW_NONE_OPEN = "✅ 现在（{time}）没有在架的求购信息，暂无缺口。"
MORE_OPEN_NOW = "……另有 {count} 条，见 Excel 附件「现在未匹配需求」"
# How a past day ended.
DAY_END_SHORT = "📌 当日结束时 {count} 条需求未匹配（明细见 Excel 附件「未匹配需求」）。"
DAY_END_ALL_MATCHED = "📌 当日结束时在架的 {open} 条求购均已匹配到供应。"
DAY_END_NONE_OPEN = "📌 当日结束时没有在架的求购信息。"
OPEN_LINE = "{index}. <b>{product}</b> {amount}｜{place}｜{organisation}｜{waited}"
NO_PLACE = "地点未注明"
NO_QUANTITY = "数量未注明"
WAITED_MINUTES = "已等{minutes}分钟"
WAITED_HOURS = "已等{hours}小时"
WAITED_DAYS = "已等{days}天"
MORE_IN_WORKBOOK = "……另有 {count} 条，见 Excel 附件"
NEW_HEADING = "<b>📈 当日新增</b>（括号内为较前一日）"
NEW_OFFERS = "供应 {count} 条（{change}）{volumes}"
NEW_NEEDS = "需求 {count} 条（{change}）{volumes}"
VOLUMES = "：{volumes}"
VOLUME_CHANGE = "{amount}（{change}）"
VOLUME_SEPARATOR = "、"
UNCHANGED = "持平"
KG = "公斤"
CATEGORIES_HEADING = "<b>🗂 分类</b>（供｜求）"
CATEGORY_LINE = "{category}：供 {offers}｜求 {needs}"
SIDE = "{count} 条 {volume}"
SIDE_COUNT = "{count} 条"
MATCHES_HEADING = "<b>🤝 当日匹配 {count} 对</b>（{change}）{states}"
MATCH_STATES = "：已交换联系方式 {exchanged} 对，一方有意向 {one_side} 对，尚无人表态 {waiting} 对"
# The listing numbers tell apart two matches of the same people (a need posted twice).
MATCH_LINE = (
    "· {product} {amount}：{offer}（{offer_place}）→ {need}（{need_place}）{status}"
    "｜编号 #{offer_id}→#{need_id}"
)
MATCH_STATUS = {"exchanged": "✅已交换联系方式", "one_side": "⏳一方有意向",
                "waiting": "⏳尚无人表态"}
SURPLUS_HEADING = "<b>📦 无人求购的供应：{count} 条</b>"
# Matched is not interested: an offer with a match may still wait for anyone's 我有意向.
ALL_OFFERS_MATCHED = "📦 在架的 {open} 条供应均已匹配到求购信息。"
NO_OPEN_OFFERS = "📦 没有在架的供应信息。"
PRICES_HEADING = "<b>💰 主要品种价格</b>"
PRICE_LINE = "{product}：{parts}"
PRICE_PART = "{label} {span} 元/{unit}"
OFFER_PRICE = "供"
NEED_PRICE = "求"
DIGEST_FOOTER = "明细见 Excel 附件与图表。/digest 查看当天至今的数据，/short 查看现在的缺口。"
ATTACHMENT_CAPTION = "{area} {day} 购销明细"
SHORT_TITLE = "<b>📋 {area} 缺口</b>"
MORE_SHORT = "……另有 {count} 条，见 /digest 的 Excel 附件「现在未匹配需求」"

# -- the workbook and the chart ------------------------------------------------
PRICE_BOUND_NAMES = {
    "max": "以内", "min": "以上", "approx": "左右", "exact": "定价", "negotiable": "面议",
}
CHART_TITLE = "{area} {month}月{day}日 供需对比（按类别）"
CHART_NO_DATA = "暂无数据"
CHART_COUNT_AXIS = "条数"
CHART_WEIGHT_AXIS = "重量（吨）"
CHART_OFFERS = "供应"
CHART_NEEDS = "需求"
CHART_NO_WEIGHTS = "当日没有按重量计的信息。"
CHART_COUNTED_HEADING = "按件计的（未计入重量）："
CHART_COUNTED_LINE = "{category}：{sides}"
CHART_COUNTED_OFFERS = "供 {volume}"
CHART_COUNTED_NEEDS = "求 {volume}"
CHART_SIDE_SEPARATOR = "｜"

# -- escalations, summaries and reminders -------------------------------------
ESCALATION = (
    "<b>⚠️ 缺口提醒</b>\n{product} {amount}｜{place}｜{organisation}\n"
    "已发布 {hours} 小时仍未匹配到供应，请协调货源。"
)
# The poster, for officials of the area (phones only of users told they may be seen).
ESCALATION_POSTER = "发布人：{name}｜{organisation}｜{phone}"
ESCALATION_NO_PHONE = "手机未留"
ESCALATION_PHONE_PENDING = "手机下次提醒时显示（已告知本人）"
ESCALATION_COORDINATED = "已协调：{who}（{when}）"
CANDIDATES = "👀 候选供应"
COORDINATED = "✅ 已协调"
# To a user whose phone officials are about to see for the first time.
PHONE_NOTICE = ("ℹ️ 您发布的求购「{product}」还没有匹配到供应。为帮您协调，"
                "您所在辖区的工作人员接下来可以看到您的手机号，可能会联系您。")
SUMMARY_TITLE = "<b>📬 {month}月{day}日 您的信息新增 {count} 个匹配</b>"
SUMMARY_LINE = "· 您的{own} ↔ {other_kind} {amount}｜{place}"
SUMMARY_MORE = "……另有 {count} 个"
SUMMARY_FOOTER = "发送 /matches 查看详情，双方都点「我有意向」后互换联系方式。"
EXPIRY_REMINDER = (
    "⏰ 您的{kind}信息「{product} {amount}」将于 {until} 到期。\n"
    "如仍需{kind}，请点「续期」；不需要可不理会，到期后自动下架。"
)
RENEW_BUTTON = "🔄 续期"
DAY_OF_MONTH = "{month}月{day}日"
