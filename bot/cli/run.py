"""``farmdock run``: start the bot."""

from __future__ import annotations

import argparse
import sys

from bot.settings import SettingsError, configure_logging, load_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the Telegram bot (long polling, or webhook when FARMDOCK_WEBHOOK_URL is set)",
    )
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"farmdock: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    from bot.app import run  # the Telegram stack loads only when the bot really runs

    run(settings)
    return 0
