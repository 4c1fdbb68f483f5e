"""Texts of the daily price monitoring: reading reports, points, the table, the bulletin."""

from __future__ import annotations

# Errors of a report line, each naming the part it is about.
REPORT_ERRORS = {
    "empty": "报价是空的：请写品名和价格，如：白菜1.2 猪肉13.8",
    "nothing": "没有认出监测品种：请写品名和价格，如：白菜1.2 猪肉13.8",
    "no_price": "{word}：没有价格",
    "not_in_basket": "{word}：不是监测品种",
    "unreadable": "看不懂「{word}」",
    "number_alone": "「{word}」前面没有品名",
    "range": "{word}：报了一个区间（{text}），请只报一个价",
    "zero": "{word}：价格不能是0",
    "twice": "{word}：一行里报了两次，只取第一个",
    "sales_alone": "{word}：销量前面没有价格",
}

# Monitoring points.
POINT_NO_NAME = "监测点要有名称"
POINT_BAD_TYPE = "监测点类型「{type}」不对：只能是{types}"
POINT_NEEDS_COUNTY = "监测点要写到县（市、区）或乡镇，如：宝丰县、宝丰县张八桥镇"
POINT_TAKEN = "已经有叫「{name}」的监测点（编号 {id}）"
POINT_UNKNOWN = "没有这个监测点：{ref}（写编号或完整名称）"

# Questions about a suspect price: nothing is stored until answered.
ASK_MIXUP = ("{product} {price}元/{unit}，正好是上次（{previous}元/{unit}）的两倍或一半左右："
             "是不是把斤和公斤弄混了？")
ASK_RANGE = "{product} {price}元/{unit} 不在合理范围（{low}–{high}元/{unit}）内：价格写对了吗？"

UNIT_LABELS = {"500g": "500克", "kg": "公斤", "5L": "5升", "L": "升", "250ml": "250毫升"}


def unit_label(unit: str) -> str:
    """A basket unit as people read it (500g → 500克)."""
    return UNIT_LABELS.get(unit, unit)


# Rows of an import file that are not taken.
IMPORT_BAD_DATE = "日期看不懂（写成 2026-05-09）"
IMPORT_NOT_IN_BASKET = "品种「{product}」不是监测品种"
IMPORT_BAD_PRICE = "价格「{price}」不是数字"
IMPORT_BAD_SALES = "销量「{sales}」看不懂"
IMPORT_UNREADABLE = "看不懂：{detail}"
IMPORT_RANGE = "价格 {price}元/{unit} 不在合理范围（{low}–{high}元/{unit}）内"
IMPORT_TWICE = "{product}在同一监测点同一天出现了两次"
IMPORT_NO_COLUMNS = "缺少列：{columns}（需要 日期、监测点、品种、价格、单位、销量、销量单位）"

# The daily table as text.
TABLE_TITLE = "{region} {day} 生活必需品价格监测"
TABLE_NO_DATA = "（无报价）"
TABLE_LINE = "{product}（{spec}）{avg}元/{unit}  环比{d1}  7日{d7}  {points}个监测点{range}"
TABLE_RANGE = "  {low}–{high}"
TABLE_ALERTS = "预警："
TABLE_ALERT = "⚠ {region} {product} {rule}涨{pct}%"
TABLE_NO_ALERTS = "无预警"
RULE_LABELS = {"rise_1d": "一日", "rise_7d": "七日内"}
RULE_COUNTIES = "（多县区同时预警）"
NO_CHANGE = "—"
WORKBOOK_COLUMNS = ("品种", "类别", "规格", "单位", "均价", "最低", "最高", "监测点数",
                    "环比%", "7日%", "各县区均价")
WORKBOOK_ALERT_COLUMNS = ("品种", "地区", "规则", "涨幅%")


def rule_label(rule: str) -> str:
    base, _, counties = rule.partition(":")
    return RULE_LABELS.get(base, base) + (RULE_COUNTIES if counties else "")


def signed_pct(value: float | None) -> str:
    """+5.0% / -1.2% / — (no data)."""
    if value is None:
        return NO_CHANGE
    return f"{value:+.1f}%"

# Alerts, reminders and officials' prices section (HTML: names escaped by the caller).
ALERT = "⚠️ <b>价格预警</b> {day}\n{region} {product}：{rule}上涨 {pct}%（预警线 {threshold}%）"
ALERT_COUNTIES = ("⚠️ <b>价格预警（多县区）</b> {day}\n{product}：{count}个县区{rule}上涨"
                  "超过预警线，最高 {pct}%")
REMINDER = ("⏰ 今天（{day}）<b>{point}</b> 还没有报价。请发 /report ，再发一行价格，"
            "如：白菜1.2 西红柿3.5 猪肉13.8 鸡蛋5.2")
SECTION_TITLE = "📈 <b>价格监测</b> {region} {day}"
SECTION_ALERTS = "预警："
SECTION_MOVES = "变动最大："
SECTION_MOVE = "{product} {avg}元/{unit} 环比{d1}"
SECTION_NO_MOVES = "暂无可比的价格变动"
SECTION_MISSING = "未报价的监测点（{count}个）：{names}"
SECTION_ALL_REPORTED = "所有监测点都已报价"
SECTION_NO_POINTS = "本辖区还没有监测点：发 /addpoint 名称 类型 添加"

# The public bulletin (日发布).
BULLETIN_TITLE = "{city}生活必需品价格日报"
BULLETIN_DATE = "{year}年{month}月{day}日"
BULLETIN_PUBLISHER = "{bureau}发布"
BULLETIN_HEADER = ("品种", "规格", "均价（元）", "环比")
BULLETIN_NO_DATA = "今日暂无报价"
BULLETIN_FOOTER = ("数据来自全市{points}个监测点（超市、农贸市场、批发市场）当日报价；"
                   "环比只比较前后两天都报价的监测点。")
BULLETIN_LINE = "{product}（{spec}）{avg}元/{unit}，环比{d1}"
# One sentence per category, from what the points reported (no stock figures yet).
SUPPLY_STEADY = "{category}：{reported}个品种在售有报价，价格总体平稳（{rises}涨{falls}跌）。"
SUPPLY_RISING = ("{category}：{reported}个品种在售有报价，{top}价格上涨较快（最高{pct}%），"
                 "正在加强监测（{rises}涨{falls}跌）。")
SUPPLY_NO_DATA = "{category}：今日暂无报价。"
BULLETIN_CAPTION = "{title} {date}（{bureau}）"


def bulletin_change(value: float | None) -> str:
    """A change as the public reads it: 持平 for none, +5.0% / -1.2%, — without data."""
    if value == 0:
        return "持平"
    return signed_pct(value)

# In the bot.
ADD_POINT_USAGE = ("用法：/addpoint 名称 类型 [地区]\n类型：超市、农贸市场或批发市场；"
                   "地区默认是您的辖区，如：/addpoint 人民路超市 超市 宝丰县张八桥镇")
POINT_OUTSIDE_AREA = "{region} 不在您的辖区（{area}）内"
POINT_ADDED = ("✅ 已添加监测点 <b>{name}</b>（编号 {id}，{type}，{region}）。\n"
               "请把这个链接发给报价员，点开即可关联：\n{link}")
POINT_LINK = "监测点 <b>{name}</b> 的报价员链接（一次有效）：\n{link}"
POINT_LINK_USAGE = "用法：/pointlink 编号或名称"
POINT_NOT_YOURS = "没有这个监测点，或它不在您的辖区内：{ref}"
POINT_INVITE_INVALID = "这个监测点链接无效或已经用过了，请向工作人员要一个新的。"
POINT_LINKED = ("✅ 您已是监测点 <b>{name}</b> 的报价员。\n每天发 /report ，再发一行今天的价格，"
                "如：白菜1.2 西红柿3.5 猪肉13.8 鸡蛋5.2（元/斤；别的单位请写明，如 牛肉38元/斤、"
                "菜籽油75元/桶）")
NO_BOT_USERNAME = "暂时无法生成链接（机器人用户名未知），请稍后再试。"
POINTS_TITLE = "📍 <b>监测点</b> {area} {day}"
POINT_REPORTED = "✅ {name}（{id}）"
POINT_MISSING = "⏳ {name}（{id}）未报价"
POINTS_NONE = "您的辖区还没有监测点。发 /addpoint 名称 类型 添加。"
NOT_A_REPORTER = "您还不是监测点的报价员：请向工作人员要监测点链接。"
CHOOSE_POINT = "为哪个监测点报价？"
ASK_LINE = ("请发一行今天（{day}）<b>{point}</b> 的价格，如：白菜1.2 西红柿3.5 猪肉13.8 鸡蛋5.2\n"
            "价格按元/斤（油按元/桶，牛奶按元/盒250ml）；别的单位请写明，如 牛肉76元/公斤。"
            "可以加销量：白菜1.2 卖了800斤")
REPORT_NOT_READ = "没看懂这次报价：\n{errors}\n请再发一次，如：白菜1.2 猪肉13.8"
REPORT_CARD = "📋 <b>{point}</b> {day} 报价，请核对：\n{lines}"
REPORT_ITEM = "· {product} {price}元/{unit}{sales}"
REPORT_SALES = "，销量 {sales}{unit}"
REPORT_NOTES = "\n未收录：{notes}"
REPORT_MIXUP = ("\n❓ {product} {price}元/{unit} 正好是上次（{previous}元）的两倍或一半左右："
                "这是每斤还是每公斤的价？")
REPORT_RANGE = "\n❓ {product} {price}元/{unit} 不在合理范围（{low}–{high}元）内，请核对。"
REPORT_CONFIRM = "✅ 确认保存"
REPORT_PER_JIN = "是每斤的价"
REPORT_PER_KG = "是每公斤的价（换算成每斤）"
REPORT_AGAIN = "✏️ 重新输入"
REPORT_CANCEL = "❌ 取消"
REPORT_SAVED = ("✅ 已保存 <b>{point}</b> {day} 的 {count} 个品种报价。"
                "同一天再报一次会更正这次的价格。")
REPORT_CANCELLED = "已取消，没有保存。"
REPORT_CORRECTED = "（更正了今天已报的 {count} 个品种）"

# Price sanity of listings against the day's monitored prices.
LISTING_PRICE_HIGH = ("⚠️ {product} {price}元/斤，是今天全市监测均价（{avg}元/斤）的{times}倍。"
                      "价格确认无误请再点一次「确认发布」，写错了请点「修改」。")
LISTING_PRICE_MIXUP = ("❓ {product} {price}元/斤，正好是今天全市监测均价（{avg}元/斤）"
                       "的{times}倍：您写的是每斤还是每公斤？没写错请再点一次「确认发布」，写错了请点「修改」。")
SECTION_HIGH_OFFERS = "价格偏高的出售信息（达到监测均价{ratio}倍，可能哄抬物价）："
SECTION_HIGH_OFFER = "· {product} {price}元/斤（均价{avg}元/斤，{times}倍）{place} 编号{id}"

# The report as a form, item by item.
FORM_START = "📝 逐项填写"
SAME_AS_LAST = "↩️ 全部同上次（{day}）"
FORM_ITEM = ("第 {n}/{total} 项：<b>{product}</b>（{spec}），元/{unit}？\n直接发价格，如 1.2；"
             "别的单位请写明，如 38元/斤")
FORM_LAST = "上次：{price}元/{unit}"
FORM_SKIP = "跳过"
FORM_SAME = "同上次 {price}"
FORM_DONE = "✅ 填完了"
FORM_BAD_PRICE = "没看懂这个价格：{errors}\n请再发一次，如 1.2，或点「跳过」。"
FORM_NOTHING = "还没有填任何价格。"
NO_LAST_REPORT = "这个监测点还没有以前的报价。"
