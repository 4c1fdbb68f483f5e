"""Cleaning what users type: once where it enters (:func:`clean_text`), and again, more
thoroughly, before the parser reads it (:func:`normalize`).

:func:`clean_text` is what is stored and shown: the text as typed, less what nobody can
see and what breaks the places text goes (Excel refuses control characters, UTF-8
refuses lone surrogates, bidi controls turn a line round on screen).

For the parser, full-width forms become half-width (NFKC), HTML tags and entities,
emoji, control and private-use characters disappear, brackets and repeated punctuation
are flattened, a few traditional characters common in product and place names are folded to
simplified ones (``data/folds.json``), digit groups (5,000) and single characters typed
apart (出 售 大 白 菜) are joined, so that every later step sees one spelling.
"""

from __future__ import annotations

import html
import re
import unicodedata

from bot.matching.datafiles import load_data

# C0 and C1 controls (tab and newline become a space and stay), lone surrogates,
# noncharacters, and invisible format characters: zero-width joiners and spaces, bidi
# marks, embeddings, overrides and isolates, the soft hyphen, word joiners, tag letters.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff0-\ufff8\ufffe\uffff"
    "\ud800-\udfff\U000e0000-\U000e007f]+"
)
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")
# The invisible characters str.isprintable() takes for printable (fillers, selectors).
_INVISIBLE_LETTERS = re.compile("[\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\uffa0]")


def clean_text(text: str) -> str:
    """User text fit to store and show: the same words, without invisible characters.

    Line breaks become ``\n`` and tabs a space; control characters, lone surrogates,
    noncharacters, zero-width and bidi controls are dropped. Idempotent.
    """
    # Most text is printable (no control, format or surrogate character): only the few
    # invisible letters are left to look for.
    if text.isprintable() and _INVISIBLE_LETTERS.search(text) is None:
        return text
    text = _LINE_BREAKS.sub("\n", text).replace("\t", " ")
    return _INVISIBLE.sub("", text)


_HTML_TAG = re.compile(r"</?[a-z!][^<>]{0,200}>", re.IGNORECASE)
_NOISE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufe00-\ufe0f"
    "\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2b00-\u2bff\ue000-\uf8ff"
    "\U0001f000-\U0001faff\U000e0000-\U000e007f]+"
)
_REPEATED = re.compile(r"([,.!?~;:、。\-_=*#/\s])\1+")
# 5,000, 1,200,000 and 1_000: digit groups of a thousand are one number.
_THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?:([,_])\d{3})(?:\1\d{3})*(?![\d.])")
# 出 售 大 白 菜: single characters typed with spaces between them are one word.
_SPACED = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff](?: [\u4e00-\u9fff](?![\u4e00-\u9fff]))+")

# Traditional → simplified for characters seen in products, units, places and trade words,
# the financial numerals (壹贰叁 … 仟) to everyday ones, brackets and decorative marks to
# spaces, minus signs and hyphens to the ASCII hyphen-minus: the table in data/folds.json.
_FOLDS = load_data("folds.json")
_FOLD = str.maketrans(
    {
        **_FOLDS["simplified"],
        **_FOLDS["financial_numerals"],
        **dict.fromkeys(_FOLDS["to_space"], " "),
        **dict.fromkeys(_FOLDS["to_hyphen"], "-"),
    }
)


def normalize(text: str) -> str:
    """One clean line: NFKC, no markup, no emoji or control characters, ASCII lower-cased."""
    text = unicodedata.normalize("NFKC", text)
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    text = _REPEATED.sub(r"\1", _NOISE.sub(" ", text).translate(_FOLD).lower()).strip()
    if "," in text or "_" in text:
        text = _THOUSANDS.sub(lambda m: m.group(0).replace(m.group(1), ""), text)
    if " " in text:
        text = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    return text
