"""Policy tables (plausible ranges, thresholds …) are data, not code.

A table is a JSON file shipped in ``bot/matching/data/``. When the directory named by
``FARMDOCK_POLICY_DIR`` holds a file of the same name, that file wins, file by file: a
city overrides the tables it wants to change and keeps the shipped ones for the rest.
The directory is read from the environment once (``farmdock`` exports what ``.env``
says first, then reads it afresh); a loader that caches a table keys the cache by it.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from bot.matching.datafiles import SHIPPED_DIR, load_data

POLICY_DIR_VARIABLE = "FARMDOCK_POLICY_DIR"


class PolicyError(ValueError):
    """A policy file that cannot be read or holds bad values; the message names it."""


@cache
def directory() -> Path | None:
    """The override directory named by the environment, if any; ``directory.cache_clear()``
    reads the environment again."""
    value = os.environ.get(POLICY_DIR_VARIABLE, "").strip()
    return Path(value) if value else None


def override_of(name: str, folder: Path | None = None) -> Path | None:
    """The file overriding table ``name``, if the override directory holds one."""
    folder = folder if folder is not None else directory()
    path = folder / name if folder is not None else None
    return path if path is not None and path.is_file() else None


def source_of(name: str, folder: Path | None = None) -> str:
    """Where table ``name`` is read from, for messages."""
    return str(override_of(name, folder) or f"{SHIPPED_DIR}/{name}")


def load_policy(name: str, folder: Path | None = None) -> Any:
    """The parsed JSON of policy table ``name``: the override if there is one, else shipped
    (read once, the same object each time: callers must not modify it).

    ``folder`` (the override directory) defaults to :func:`directory`. Raises
    :class:`PolicyError` naming the file.
    """
    override = override_of(name, folder)
    if override is None:
        try:
            return load_data(name)
        except ValueError as error:
            raise PolicyError(str(error)) from None
    try:
        text = override.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"policy file {override} cannot be read: {error}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyError(f"policy file {override} is not valid JSON: {error}") from None
