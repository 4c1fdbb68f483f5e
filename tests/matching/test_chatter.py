"""Small talk is told from posts: only a message that is nothing but small talk is chatter."""

from __future__ import annotations

import pytest

from bot.matching.chatter import chatter_kind


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("你好", "greeting"),
        ("您好！", "greeting"),
        ("老板你好", "greeting"),
        ("在吗？", "greeting"),
        ("Hello!", "greeting"),
        ("早上好啊", "greeting"),
        ("谢谢", "thanks"),
        ("谢谢老板", "thanks"),
        ("謝謝", "thanks"),
        ("辛苦了师傅", "thanks"),
        ("谢谢你们", "thanks"),
        ("3Q", "thanks"),
        ("好的", "ack"),
        ("好的，谢谢", "ack"),  # the first word decides
        ("收到", "ack"),
        ("OK", "ack"),
        ("中", "ack"),  # Henan for 好
    ],
)
def test_small_talk(typed: str, kind: str) -> None:
    assert chatter_kind(typed) == kind


@pytest.mark.parametrize(
    "typed",
    [
        "你好，出售大白菜5000斤",
        "谢谢，求购土豆2吨",
        "出售大白菜",
        "大白菜",
        "好大白菜",
        "你",  # a filler alone says nothing
        "啊啊",
        "",
        "👍",
        "你好" * 20,  # too long to be small talk
    ],
)
def test_anything_else_is_not_chatter(typed: str) -> None:
    assert chatter_kind(typed) is None
