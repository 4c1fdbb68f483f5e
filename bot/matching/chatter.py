"""Telling small talk (你好, 谢谢, 好的) from a post, so that a greeting does not start one.

A message is chatter only when all of it is: greetings, thanks or acknowledgements,
with at most polite fillers around them (老板你好, 好的谢谢, 在吗？). One word of
anything else (你好，出售大白菜5000斤) makes it a post. The words live in
``data/chatter.json``; the text is cleaned as every post is (``normalize``) and must
split wholly into listed words. Its kind is that of the first word that is not a filler.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from bot.matching.datafiles import load_data
from bot.matching.text import normalize

ChatterKind = Literal["greeting", "thanks", "ack"]
KINDS: tuple[ChatterKind, ...] = ("greeting", "thanks", "ack")
# Small talk is short; anything longer is read as a post without looking further.
MAX_CHATTER_CHARS = 24
_PUNCTUATION = re.compile(r"[\W_]+")


def chatter_kind(text: str) -> ChatterKind | None:
    """What kind of small talk ``text`` is, or None when it is (or may be) a post."""
    compact = _PUNCTUATION.sub("", normalize(text))
    if not compact or len(compact) > MAX_CHATTER_CHARS:
        return None
    words = _words()
    # reached[i]: the text up to i is listed words; with the first kind that is not filler.
    reached: dict[int, str | None] = {0: None}
    for start in range(len(compact)):
        if start not in reached:
            continue
        for length in range(min(_longest(), len(compact) - start), 0, -1):
            kind = words.get(compact[start:start + length])
            if kind is not None and start + length not in reached:
                first = reached[start]
                reached[start + length] = first if first or kind == "filler" else kind
    found = reached.get(len(compact))
    return found if found in KINDS else None  # type: ignore[return-value]


@cache
def _words() -> dict[str, str]:
    """Every listed word, cleaned like user text, with its kind (or "filler")."""
    raw: dict[str, list[str]] = load_data("chatter.json")
    words: dict[str, str] = {}
    for kind in (*KINDS, "filler"):
        for word in raw[kind]:
            words.setdefault(_PUNCTUATION.sub("", normalize(word)), kind)
    return words


@cache
def _longest() -> int:
    return max(len(w) for w in _words())
