"""Numbers as growers type them: 5000, 3.5万, 1万2, 五千, 一千五, 两, 十五, 三点五, 半.

A spoken abbreviation scales the last digit to one place below the last multiplier:
一千五 = 1500, 1万2 = 12000, 两万五 = 25000; after 零 it stays a unit (一百零五 = 105).
Two rising digits side by side are a spoken range, read as its upper end: 两三吨 = 3 吨,
三五千斤 = 5000 斤.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

# A regex fragment for the parser's patterns; a number never starts with a multiplier.
DIGIT_CHARS = "0-9零〇一二两三四五六七八九"
# 千 followed by 克 is the unit 千克, not a multiplier (三百千克 = 300 kg).
NUMBER = f"[{DIGIT_CHARS}十半](?:[{DIGIT_CHARS}十百万点.]|千(?!克))*"
_EXPONENT = re.compile(r"(?<![\d.])\d+(?:\.\d+)?e[+-]?\d+")
# As many digits as no float can hold: what an infinite figure is written as.
_TOO_LARGE = "9" * 400

_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_SMALL_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
_ASCII = "0123456789."


def expand_exponents(text: str) -> str:
    """1e3 → 1000, 1e309 → a figure too large for a float: exponent notation as plain digits,
    so that every pattern reads it as one number, never the 309 after its e (lower case)."""
    if "e" not in text:
        return text

    def plain(found: re.Match[str]) -> str:
        value = float(found.group(0))
        if not math.isfinite(value) or value >= 1e300:
            return _TOO_LARGE
        return f"{value:.10f}".rstrip("0").rstrip(".") or "0"

    return _EXPONENT.sub(plain, text)


def digit_value(ch: str) -> float | None:
    """One digit, Arabic or Chinese; 半 is a half."""
    if ch == "半":
        return 0.5
    if ch.isascii() and ch.isdigit():
        return float(ch)
    value = _DIGITS.get(ch)
    return None if value is None else float(value)


@lru_cache(maxsize=8192)
def parse_number(text: str) -> float | None:
    """The value of a numeral, or None when it is not one."""
    text = text.rstrip(".点")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    if text == "半":
        return 0.5
    total = 0.0  # completed 万 groups
    section = 0.0  # the group below 万
    digit: float | None = None
    last_multiplier = 1
    after_zero = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _ASCII and ch != ".":
            j = i
            while j < n and text[j] in _ASCII:
                j += 1
            try:
                digit = float(text[i:j])
            except ValueError:
                return None
            i = j
            continue
        if ch in _DIGITS:
            value = _DIGITS[ch]
            if value == 0:
                after_zero = True
            before = _DIGITS.get(text[i - 1], 0) if i else 0
            if digit is not None and before and 0 < value - before <= 2:
                # 两三吨, 三五千斤: a spoken range, read as its upper end.
                digit += value - before
            else:
                # A float, so that a run of 九 too long for a float is infinite, not an error.
                digit = float(value) if digit is None else digit * 10 + value
        elif ch in _SMALL_MULTIPLIERS:
            multiplier = _SMALL_MULTIPLIERS[ch]
            section += (1 if digit is None else digit) * multiplier
            digit, last_multiplier, after_zero = None, multiplier, False
        elif ch == "万":
            total += (section + (digit or 0) or 1) * 10_000
            section, digit, last_multiplier, after_zero = 0.0, None, 10_000, False
        elif ch in "点.":
            decimals = ""
            i += 1
            while i < n and (text[i] in _DIGITS or text[i].isdigit()):
                decimals += str(int(digit_value(text[i]) or 0))
                i += 1
            if not decimals:
                return None
            digit = (digit or 0) + float("0." + decimals)
            continue
        else:
            return None
        i += 1
    if digit is not None:
        section += digit if after_zero or last_multiplier == 1 else digit * last_multiplier / 10
    return total + section
