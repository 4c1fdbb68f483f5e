"""What the operators are told when the outbox could not send a message the normal way.

Each text gets ``id`` and ``key`` (the outbox row), ``attempts`` and ``error``, escaped.
An operator hears of each kind of trouble once a day; the rest is in the log and in the
outbox row's ``last_error``.
"""

from __future__ import annotations

_LATER = "\n今天再有同类情况只记入日志和发件箱，不再通知。"

ANSWER_UNREADABLE = (
    "⚠️ 发件箱：第 {id} 条消息 <code>{key}</code> Telegram 已收下，但它的回答无法读取："
    "<code>{error}</code>\n已记为已发送，不会重发。" + _LATER
)
CANNOT_BUILD = (
    "⚠️ 发件箱：第 {id} 条消息 <code>{key}</code> 无法组成发送请求，已放弃："
    "<code>{error}</code>" + _LATER
)
GAVE_UP = (
    "⚠️ 发件箱：第 {id} 条消息 <code>{key}</code> 试了 {attempts} 次仍未发出，已放弃："
    "<code>{error}</code>" + _LATER
)
