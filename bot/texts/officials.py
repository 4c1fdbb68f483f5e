"""What officials read: command replies, digest headings, escalation and reminder wording.

Every user-facing string of the officials' features lives here, so wording is
reviewed in one place. Values are HTML-safe templates; fill them with
``html.escape``-d text only.
"""

from __future__ import annotations

NOT_AN_OFFICIAL = (
    "抱歉，此功能仅向市、县（区）、乡镇（街道）工作人员开放。如需开通，请联系市商务局。"
)
BAD_DATE = "日期格式不对，请这样输入：/digest 2026-05-09"
FUTURE_DATE = "这一天还没到，请输入今天或以前的日期。"
BUILDING = "正在生成{area}{day}的日报，请稍候……"
