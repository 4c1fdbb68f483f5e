"""The domain data shipped in ``bot/matching/data/``: JSON files, each read once.

Word lists, character folds, the catalogue and the gazetteer ship with the code and
change with it. Tables a city may override (plausible ranges, usual packs) are read
through :func:`bot.matching.policy.load_policy`, which falls back on these same files.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SHIPPED_DIR = "bot/matching/data"


@cache
def load_data(name: str) -> Any:
    """The parsed JSON of shipped data file ``name``, read once: every call returns the same
    object, which callers must not modify. Raises ValueError naming a file that is not JSON."""
    text = resources.files("bot.matching").joinpath("data", name).read_text("utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"data file {SHIPPED_DIR}/{name} is not valid JSON: {error}") from None
