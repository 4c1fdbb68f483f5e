"""Rendering helpers shared by every handler: HTML escaping and splitting long messages.

Telegram refuses messages over 4096 characters. :func:`split_message` cuts a
long HTML message at the best boundary it can find (blank line, then line
break, then space), never inside a tag or an entity, and carries open tags over:
a chunk that ends inside ``<b>…`` is closed with ``</b>`` and the next chunk
reopens it, so every chunk is valid HTML on its own.
"""

from __future__ import annotations

import html
import re

MESSAGE_LIMIT = 4096

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
_SEPARATORS = ("\n\n", "\n", " ")


def esc(text: object) -> str:
    """User-supplied text made safe for HTML parse mode."""
    return html.escape(str(text), quote=False)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` in chunks of at most ``limit`` characters, each valid HTML on its own."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    carried: list[str] = []  # opening tags still open at the end of the previous chunk
    rest = text
    while rest:
        prefix = "".join(carried)
        if len(prefix) + len(rest) <= limit:
            chunks.append(prefix + rest)
            break
        budget = limit - len(prefix)
        while True:
            cut = _cut_point(rest, budget)
            piece = rest[:cut]
            still_open = _open_tags(carried, piece)
            closing = "".join(f"</{_tag_name(tag)}>" for tag in reversed(still_open))
            if len(prefix) + len(piece.rstrip()) + len(closing) <= limit or budget <= 1:
                break
            budget -= len(closing)
        chunks.append(prefix + piece.rstrip() + closing)
        carried = still_open
        rest = rest[cut:].lstrip()
    return [c for c in chunks if c.strip()]


def _cut_point(text: str, budget: int) -> int:
    """Where to cut ``text`` so that the first part fits ``budget``: the nicest boundary."""
    window = text[:budget]
    for separator in _SEPARATORS:
        found = window.rfind(separator)
        # A boundary in the first quarter would leave a tiny chunk; a hard cut is better.
        if found > budget // 4:
            return _outside_markup(text, found + len(separator))
    return _outside_markup(text, budget)


def _outside_markup(text: str, cut: int) -> int:
    """Move ``cut`` back to the start of a tag or entity it would fall inside."""
    tag_start = text.rfind("<", 0, cut)
    if tag_start != -1 and text.find(">", tag_start) >= cut:
        cut = tag_start
    entity_start = text.rfind("&", max(0, cut - 10), cut)
    if entity_start != -1 and ";" not in text[entity_start:cut]:
        semicolon = text.find(";", entity_start)
        if semicolon != -1 and semicolon - entity_start <= 10:
            cut = entity_start
    return max(cut, 1)


def _open_tags(carried: list[str], piece: str) -> list[str]:
    """The opening tags still open after ``piece``, given those open before it."""
    stack = list(carried)
    for match in _TAG.finditer(piece):
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            stack.append(match.group(0))
            continue
        for i in range(len(stack) - 1, -1, -1):
            if _tag_name(stack[i]) == name:
                del stack[i]
                break
    return stack


def _tag_name(opening: str) -> str:
    matched = _TAG.match(opening)
    return matched.group(2).lower() if matched else ""
