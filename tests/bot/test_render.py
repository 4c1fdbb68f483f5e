import re

from hypothesis import given
from hypothesis import strategies as st

from bot.texts.html import esc, split_message


def balanced(chunk: str) -> bool:
    stack: list[str] = []
    for closing, name in re.findall(r"<(/?)([a-z]+)[^>]*>", chunk):
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def test_short_text_is_one_chunk() -> None:
    assert split_message("出售大白菜") == ["出售大白菜"]


def test_splits_at_paragraphs_first() -> None:
    paragraphs = [f"第{i}条\n" + "菜" * 30 for i in range(10)]
    chunks = split_message("\n\n".join(paragraphs), limit=100)
    assert all(len(c) <= 100 for c in chunks)
    assert all(c.startswith("第") for c in chunks)
    assert "".join(chunks).replace("\n", "") == "".join(paragraphs).replace("\n", "")


def test_open_tags_are_closed_and_reopened() -> None:
    text = "<b>" + "白菜 " * 100 + "</b>"
    chunks = split_message(text, limit=80)
    assert len(chunks) > 1
    assert all(len(c) <= 80 and balanced(c) for c in chunks)
    assert all(c.startswith("<b>") for c in chunks)


def test_never_cuts_inside_a_tag_or_entity() -> None:
    text = ("x" * 7 + '<a href="tg://user?id=1">王</a>' + "&amp;") * 40
    for chunk in split_message(text, limit=50):
        assert len(chunk) <= 50
        assert balanced(chunk)
        assert not re.search(r"<[^>]*$", chunk)
        assert not re.search(r"&[a-z]*$", chunk)


def test_escape_user_text() -> None:
    assert esc("<b>白菜</b> & 土豆") == "&lt;b&gt;白菜&lt;/b&gt; &amp; 土豆"


@given(st.lists(st.text(alphabet="白菜土豆 \n<>&ab", max_size=40), max_size=60))
def test_escaped_text_survives_splitting(parts: list[str]) -> None:
    text = "\n".join(f"<b>{esc(p)}</b>" for p in parts)
    chunks = split_message(text, limit=64)
    assert all(len(c) <= 64 and balanced(c) for c in chunks)
    visible = re.sub(r"<[^>]+>", "", "".join(chunks))
    assert re.sub(r"\s", "", visible) == re.sub(r"\s", "", re.sub(r"<[^>]+>", "", text))
