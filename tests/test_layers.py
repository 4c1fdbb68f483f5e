"""Telegram stays at the edge: the domain, the use cases and the handlers never load it,
and only the edge package speaks the Bot API's words."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import bot
import bot.handlers
import bot.services

ROOT = Path(bot.__file__).parent.parent
BOT_API_WORDS = ("inline_keyboard", "parse_mode", "sendMessage")


def _modules(package: object) -> list[str]:
    return [f"{package.__name__}.{m.name}"  # type: ignore[attr-defined]
            for m in pkgutil.iter_modules(package.__path__)]  # type: ignore[attr-defined]


def test_the_domain_use_cases_and_handlers_never_import_telegram() -> None:
    modules = ["bot.matching", *_modules(bot.services), *_modules(bot.handlers)]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, cwd=ROOT).stdout.strip()
    assert loaded == "[]", f"telegram modules loaded: {loaded}"
    assert len(modules) > 20  # every module was imported, not an empty list


def test_only_the_edge_speaks_the_bot_api() -> None:
    edge = ROOT / "bot" / "telegram"
    # A revision may read what an earlier farmdock stored in the Bot API's words.
    revisions = ROOT / "storage" / "migrations" / "versions"
    speaking = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "storage")
        for path in (ROOT / folder).rglob("*.py")
        if edge not in path.parents and revisions not in path.parents
        and any(w in path.read_text("utf-8") for w in BOT_API_WORDS)
    ]
    assert speaking == []
