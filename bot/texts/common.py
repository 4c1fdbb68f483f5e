"""Texts shared by every conversation: help, guards, errors, generic buttons."""

from __future__ import annotations

from bot.texts.html import esc
from bot.texts.registration import EXAMPLE_POSTS

# (command, description) for setMyCommands, in menu order.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "注册 / 重新开始"),
    ("offer", "发布供应（分步填写）"),
    ("need", "发布求购（分步填写）"),
    ("mine", "我的信息：改数量、改价格、续期、成交、关闭"),
    ("matches", "我的信息的匹配"),
    ("help", "使用说明"),
    ("cancel", "取消当前操作"),
)

HELP = (
    "<b>平顶山市生活物资购销信息平台</b>\n"
    "供应方和采购方在这里发布供销信息，平台就近为您匹配对方。\n\n"
    "<b>一句话发布</b>，直接发给我：\n"
    "• 出售大白菜5000斤，0.8元/斤\n"
    "• 求购土豆2吨，1.2元/斤以内，湛河区\n"
    "• 有鸡蛋300箱，每箱360枚，宝丰县张八桥镇\n\n"
    "/offer /need 分步发布　/mine 我的信息　/matches 匹配\n"
    "/follow 大白菜 关注商品，有新信息就通知您　/following 我的关注\n"
    "双方都点「我有意向」后，才会互相看到联系方式。"
)

ERROR = "抱歉，刚才出了点问题，您的操作没有完成。请稍后再试一次。"
PHONE_HIDDEN = "（手机号已隐去）"
OPERATOR_ERROR = "⚠️ farmdock 出错：<code>{error}</code>\n用户：{user}\n更新：{update}"
NOT_SIGNED_UP = "您还没有注册。请发送 /start，只需几步。"
OFFICIALS_ONLY = "抱歉，这个功能只对工作人员开放。"
GROWERS_AND_BUYERS_ONLY = "发布供求信息请使用供应方或采购方账号。"
SLOW_DOWN = "您发得太快了，请休息一分钟再发。已发的信息不会丢失。"
CANCELLED = "已取消。"
NOTHING_TO_CANCEL = "当前没有进行中的操作。"
REFUSED = "这个按钮不属于您，或已失效。"
STALE_BUTTON = "这个按钮已失效，请重新操作。"
# The answer to a blocked user's button press: about their own account, nothing else.
BLOCKED = "您的账号已停用，如有疑问请联系平台工作人员。"
CONTACT_SAVED = "已保存您的手机号。为协调供需，您所在辖区的工作人员可以看到它。"
CONTACT_NOT_OWN = (
    "这是别人的联系人名片，不能登记为您的号码。请用下方「📱 分享手机号」按钮分享您本人的号码。"
)
CONTACT_NOT_CHINESE = "这个号码不是中国大陆的手机号，平台暂时只能登记大陆的手机号。"
UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看说明。"

# Voice, photos, files, stickers and locations cannot be read yet: one line on what to do.
MEDIA_HINTS = {
    "voice": "暂时听不了语音，请打字发送",
    "photo": "暂时看不懂图片，请把内容打字发送",
    "video": "暂时看不了视频，请把内容打字发送",
    "document": "暂时看不了文件，请把内容打字发送",
    "sticker": "收到！发布信息请直接打一句话",
    "location": "暂时用不了定位，请打字写出地名",
}
EXAMPLE_PLACE = "宝丰县张八桥镇"
POSTING_ROLES = ("grower", "buyer", "admin")


def media_hint(kind: str, role: str | None, place: str) -> str:
    """How to post instead of sending ``kind``; with an example post for those who post
    (``role`` None: not signed up yet, e.g. in the middle of signing up)."""
    hint = MEDIA_HINTS.get(kind, MEDIA_HINTS["document"])
    place = place or EXAMPLE_PLACE
    if role not in POSTING_ROLES:
        return f"{hint}（如：{esc(place)}）。" if kind == "location" else f"{hint}。"
    example = EXAMPLE_POSTS.get(role, EXAMPLE_POSTS["grower"])
    if kind == "location":
        example = f"{example}，{place}"
    return f"{hint}，如：{esc(example)}"
