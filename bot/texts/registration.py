"""Texts of signing up: role, name, organisation, place, phone."""

from __future__ import annotations

from bot.texts.html import esc

ROLE_LABELS = {"grower": "供应方", "buyer": "采购方", "official": "工作人员", "admin": "管理员",
               "citizen": "市民", "hotline": "热线接线员"}

WELCOME = "您好！这里是<b>平顶山市生活物资购销信息平台</b>。\n请问您是："
ROLE_BUTTONS = (
    ("grower", "🌾 供应方（种植户、养殖场、面粉厂）"),
    ("buyer", "🛒 采购方（超市、市场、食堂、社区团购）"),
    ("citizen", "🏠 市民（反映买不到、涨价、送不到等诉求）"),
)
# Citizens give their name and place only; this says what they can do then.
CITIZEN_SIGNED_UP = (
    "✅ 注册完成！\n身份：市民\n称呼：{name}\n地点：{place}\n\n"
    "有买不到、涨价、送不到等问题，发送 /ticket 加一句话反映，如：\n"
    "/ticket 缺货 小区超市买不到面粉"
)
ASK_NAME = "请问怎么称呼您？（如：王师傅）"
USE_TELEGRAM_NAME = "就叫 {name}"
ASK_ORG = "您的单位名称？（如：张八桥蔬菜合作社、丹尼斯超市）"
NO_ORG = "个人，无单位"
ASK_COUNTY = "您在哪个县区？点按钮，或直接输入地名（如：宝丰县张八桥镇）。"
ASK_TOWNSHIP = "<b>{county}</b> 的哪个乡镇/街道？"
WHOLE_COUNTY = "只填到{county}"
PLACE_UNKNOWN = "没找到这个地方。请点按钮选择，或输入县区加乡镇，如：宝丰县张八桥镇。"
PLACE_AMBIGUOUS = "有几个地方叫这个名字，您指的是："
ASK_PHONE = (
    "最后，请点下方按钮分享手机号。\n"
    "手机号只在您和对方<b>都点了「我有意向」</b>之后才给对方看。"
)
SHARE_PHONE = "📱 分享手机号"
SKIP = "跳过"
NAME_TOO_LONG = "名称太长了，请控制在 30 个字以内。"
# At the phone step: what the user did instead of pressing the button, and why it is not taken.
OTHERS_CONTACT = (
    "这是别人的联系人名片，不能登记为您的号码。请点下方「📱 分享手机号」分享您本人的号码；"
    "不想留可以点「跳过」。"
)
TYPED_PHONE = (
    "为了让对方知道号码确实是您本人的，手机号不用手动输入：请点下方「📱 分享手机号」，"
    "Telegram 会发来您账号绑定的号码。不想留可以点「跳过」。"
)
NOT_CHINESE_PHONE = (
    "这个号码不是中国大陆的手机号，平台暂时只能登记大陆手机号。请点「跳过」，"
    "以后可请管理员帮您登记。"
)


# A buyer's example is a need, a grower's an offer.
EXAMPLE_POSTS = {
    "grower": "出售大白菜5000斤，0.8元/斤",
    "buyer": "求购土豆2吨，1.2元/斤以内",
}


# Said when a phone is given: officials of the user's area may see it (缺口提醒).
PHONE_SEEN_BY_OFFICIALS = "（为协调供需，您所在辖区的工作人员可以看到您的手机号。）"


def signed_up(role: str, name: str, organisation: str, place: str, phone: str | None) -> str:
    lines = [
        "✅ 注册完成！",
        f"身份：{ROLE_LABELS.get(role, role)}",
        f"名称：{esc(' '.join(p for p in (organisation, name) if p))}",
        f"地点：{esc(place)}",
        f"手机：{esc(phone) if phone else '未留（交换联系方式时需要）'}",
        *([PHONE_SEEN_BY_OFFICIALS] if phone else []),
        "",
        "现在就可以发布了，直接发一句话，如：\n" + EXAMPLE_POSTS.get(role, EXAMPLE_POSTS["grower"]),
    ]
    return "\n".join(lines)


def welcome_back(name: str, role: str) -> str:
    if role in ("citizen", "hotline"):
        return (f"{esc(name)}，欢迎回来（{ROLE_LABELS[role]}）。\n"
                "发送 /ticket 加一句话登记诉求，/tickets 查看诉求。")
    return (
        f"{esc(name)}，欢迎回来（{ROLE_LABELS.get(role, role)}）。\n"
        "直接发一句话发布信息，/help 查看说明。"
    )


INVITE_INVALID = "这个邀请链接无效或已经用过了。请联系管理员重新发放。"


def invite_accepted(name: str, role: str, region: str) -> str:
    return (
        f"✅ {esc(name)}，您已登记为{ROLE_LABELS.get(role, role)}，负责：{esc(region)}。\n"
        "发送 /help 查看可用的功能。"
    )
