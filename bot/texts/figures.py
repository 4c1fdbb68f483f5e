"""How numbers read in every message: at most two decimals, no trailing zeros."""

from __future__ import annotations


def figure(value: float, *, decimals: int = 2, thousands: bool = False) -> str:
    """2500, 0.8, 1.25; with ``thousands`` 12,000; never a trailing ``.0``."""
    text = f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
