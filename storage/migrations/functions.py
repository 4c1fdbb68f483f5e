"""SQL functions the migrations call, registered on every connection.

A migration that must read a value the way the application does (a phone number)
calls the application's own code through one of these, instead of a second copy of
it in SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.matching.phones import stored_phone

# (name, number of arguments, function)
MIGRATION_FUNCTIONS: tuple[tuple[str, int, Callable[..., Any]], ...] = (
    ("normalized_phone", 1, stored_phone),
)
