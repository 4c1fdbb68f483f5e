"""Settings from ``FARMDOCK_*`` environment variables (and an optional ``.env`` file).

A missing or malformed setting raises :class:`SettingsError` whose message is
one line naming the variable and how to fix it; the CLI prints just that line.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time as clock_time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.matching.basket import read_alert_policy, read_basket
from bot.matching.clock import DEFAULT_TIMEZONE
from bot.matching.limits import read_limits
from bot.matching.policy import POLICY_DIR_VARIABLE, PolicyError
from bot.matching.survey import read_survey_items
from bot.matching.tickets import read_ticket_policy

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
_TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{5,}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str
    db_path: Path
    api_base_url: str
    timezone: ZoneInfo
    log_level: str
    digest_time: clock_time
    escalation_hours: float
    # Messages a second the bot may send over all chats, shared by every worker.
    send_rate: float
    webhook_url: str | None
    webhook_listen: str
    webhook_port: int
    webhook_secret: str | None
    # Chats told when the bot hits an unexpected error.
    operator_chat_ids: tuple[int, ...]
    # Where policy tables (e.g. limits.json) that override the shipped ones live.
    policy_dir: Path | None = None
    # HTTP or SOCKS5 proxy for every call to the Bot API (Telegram is not reachable
    # directly from everywhere).
    proxy: str | None = None
    # A PostgreSQL database instead of the SQLite file (FARMDOCK_DATABASE_URL).
    database_url: str | None = None
    # 成交了吗 is asked this many hours after two sides exchanged contacts.
    deal_ask_hours: float = 24.0
    # At most this many notices of followed products to one follower a day.
    follow_notices_per_day: int = 20
    # Signs transport passes (HMAC-SHA256); without it the bot issues none.
    pass_secret: str | None = None
    # Daily price monitoring: when points that have not reported are reminded, when the
    # public bulletin goes out and where, whose name it bears, and how far above the day's
    # monitored average an offer's price is confirmed with its poster.
    price_reminder_time: clock_time = clock_time(10, 0)
    bulletin_time: clock_time = clock_time(15, 0)
    bulletin_chat: int | None = None
    bureau_name: str = "平顶山市商务局"
    price_sanity_ratio: float = 1.5
    # When stores' daily survey reports are due: reminders, officers copied, area alerts.
    survey_deadline: clock_time = clock_time(11, 0)
    # The emergency supplier registry is asked for a need no open offer covers after this
    # many hours (at once for a need the survey marks 告急 or 断货).
    registry_after_hours: float = 4.0
    # A delivery task into a sealed area not signed for this many hours after it was
    # assigned is late (officials' digest, ``farmdock deliveries``).
    delivery_late_hours: float = 12.0

    @property
    def database(self) -> str:
        """What :meth:`storage.database.Database.open` takes: the PostgreSQL URL when
        one is set, else the SQLite file."""
        return self.database_url or str(self.db_path)

    @property
    def api_base_file_url(self) -> str:
        """The file endpoint beside the API endpoint (``…/bot`` → ``…/file/bot``)."""
        base = self.api_base_url
        return base[: -len("bot")] + "file/bot" if base.endswith("bot") else base + "/file"


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: str | Path | None = ".env",
    require_token: bool = True,
) -> Settings:
    """Read settings; values in the environment win over those in ``env_file``."""
    values = _values(environ, env_file)

    def get(name: str, default: str = "") -> str:
        return values.get(f"FARMDOCK_{name}", default).strip()

    token = get("TOKEN")
    if require_token and not token:
        raise SettingsError(
            "FARMDOCK_TOKEN is not set: get a bot token from @BotFather and run "
            "`export FARMDOCK_TOKEN=123456:ABC...` (or put it in .env)"
        )
    if token and not _TOKEN_SHAPE.match(token):
        raise SettingsError(
            "FARMDOCK_TOKEN does not look like a bot token (digits, a colon, then letters): "
            "copy it again from @BotFather"
        )

    api_base_url = get("API_BASE_URL", TELEGRAM_API_BASE_URL).rstrip("/")
    if not re.match(r"^https?://[^\s/]+", api_base_url):
        raise SettingsError(
            f"FARMDOCK_API_BASE_URL={api_base_url!r} is not an http(s) URL: "
            "use e.g. https://api.telegram.org/bot or http://127.0.0.1:8081/bot"
        )

    tz_name = get("TZ", DEFAULT_TIMEZONE)
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"FARMDOCK_TZ={tz_name!r} is not a known time zone: use e.g. Asia/Shanghai"
        ) from None

    log_level = get("LOG_LEVEL", "INFO").upper()
    if log_level not in _LOG_LEVELS:
        raise SettingsError(
            f"FARMDOCK_LOG_LEVEL={log_level!r} is not one of {', '.join(_LOG_LEVELS)}"
        )

    digest_text = get("DIGEST_TIME", "08:00")
    try:
        digest_time = clock_time.fromisoformat(digest_text)
    except ValueError:
        raise SettingsError(
            f"FARMDOCK_DIGEST_TIME={digest_text!r} is not a time of day: use HH:MM, e.g. 08:00"
        ) from None

    escalation_hours = _positive_number(get("ESCALATION_HOURS", "24"), "FARMDOCK_ESCALATION_HOURS")
    deadline_text = get("SURVEY_DEADLINE", "11:00")
    try:
        survey_deadline = clock_time.fromisoformat(deadline_text)
    except ValueError:
        raise SettingsError(f"FARMDOCK_SURVEY_DEADLINE={deadline_text!r} is not a time of day: "
                            "use HH:MM, e.g. 11:00") from None
    send_rate = _positive_number(get("SEND_RATE", "30"), "FARMDOCK_SEND_RATE")
    registry_after_hours = _positive_number(get("REGISTRY_AFTER_HOURS", "4"),
                                            "FARMDOCK_REGISTRY_AFTER_HOURS")
    delivery_late_hours = _positive_number(get("DELIVERY_LATE_HOURS", "12"),
                                           "FARMDOCK_DELIVERY_LATE_HOURS")
    webhook_port = _port(get("WEBHOOK_PORT", "8443"))
    webhook_url = get("WEBHOOK_URL") or None
    if webhook_url and not webhook_url.startswith("https://"):
        raise SettingsError(
            "FARMDOCK_WEBHOOK_URL must be an https:// URL that Telegram can reach"
        )
    secret = get("WEBHOOK_SECRET") or None
    if secret and not re.match(r"^[A-Za-z0-9_-]{1,256}$", secret):
        raise SettingsError(
            "FARMDOCK_WEBHOOK_SECRET may hold only letters, digits, _ and - (1 to 256)"
        )
    # Without the secret anyone who learns the URL could post updates in any user's name.
    if webhook_url and not secret:
        raise SettingsError(
            "FARMDOCK_WEBHOOK_SECRET is required with FARMDOCK_WEBHOOK_URL: set one, "
            "e.g. `export FARMDOCK_WEBHOOK_SECRET=$(openssl rand -hex 32)`"
        )

    database_url = database_url_setting(get("DATABASE_URL"))
    if database_url and get("DB"):
        raise SettingsError(
            "FARMDOCK_DB and FARMDOCK_DATABASE_URL are both set: FARMDOCK_DB names a SQLite"
            " file, FARMDOCK_DATABASE_URL a PostgreSQL database; unset one of them"
        )

    deal_ask_hours = _positive_number(get("DEAL_ASK_HOURS", "24"), "FARMDOCK_DEAL_ASK_HOURS")
    follow_notices = _positive_integer(get("FOLLOW_NOTICES_PER_DAY", "20"),
                                       "FARMDOCK_FOLLOW_NOTICES_PER_DAY")
    pass_secret = get("PASS_SECRET") or None
    if pass_secret is not None and not re.fullmatch(r"[\x21-\x7e]{32,256}", pass_secret):
        raise SettingsError(
            "FARMDOCK_PASS_SECRET must be 32 to 256 printable ASCII characters without spaces,"
            " e.g. `export FARMDOCK_PASS_SECRET=$(openssl rand -hex 32)`"
        )

    return Settings(
        token=token,
        db_path=Path(get("DB", "./farmdock.db")),
        api_base_url=api_base_url,
        timezone=timezone,
        log_level=log_level,
        digest_time=digest_time,
        escalation_hours=escalation_hours,
        send_rate=send_rate,
        webhook_url=webhook_url,
        webhook_listen=get("WEBHOOK_LISTEN", "0.0.0.0"),
        webhook_port=webhook_port,
        webhook_secret=secret,
        operator_chat_ids=_chat_ids(get("OPERATOR_CHAT_IDS")),
        policy_dir=policy_dir(get("POLICY_DIR")),
        proxy=_proxy(get("PROXY")),
        database_url=database_url,
        deal_ask_hours=deal_ask_hours,
        follow_notices_per_day=follow_notices,
        pass_secret=pass_secret,
        price_reminder_time=_time_of_day(get("PRICE_REMINDER_TIME", "10:00"),
                                         "FARMDOCK_PRICE_REMINDER_TIME"),
        bulletin_time=_time_of_day(get("BULLETIN_TIME", "15:00"), "FARMDOCK_BULLETIN_TIME"),
        bulletin_chat=_chat(get("BULLETIN_CHAT"), "FARMDOCK_BULLETIN_CHAT"),
        bureau_name=get("BUREAU_NAME", "平顶山市商务局") or "平顶山市商务局",
        price_sanity_ratio=_ratio(get("PRICE_SANITY_RATIO", "1.5"),
                                  "FARMDOCK_PRICE_SANITY_RATIO"),
        survey_deadline=survey_deadline,
        registry_after_hours=registry_after_hours,
        delivery_late_hours=delivery_late_hours,
    )


def _time_of_day(text: str, name: str) -> clock_time:
    try:
        return clock_time.fromisoformat(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not a time of day: use HH:MM, e.g. 10:00") \
            from None


def _chat(text: str, name: str) -> int | None:
    """A chat's numeric id (a channel's is -100…)."""
    if not text:
        return None
    if re.match(r"^-?\d{1,20}$", text):
        return int(text)
    raise SettingsError(f"{name}={text!r} is not a chat id: give the channel's numeric id "
                        "(e.g. -1001234567890; forward a channel post to @userinfobot)")


def _ratio(text: str, name: str) -> float:
    value = _positive_number(text, name)
    if value <= 1:
        raise SettingsError(f"{name}={text!r} must be more than 1 (e.g. 1.5)")
    return value


def database_url_setting(text: str, name: str = "FARMDOCK_DATABASE_URL") -> str | None:
    """A PostgreSQL URL (``postgresql://…`` or ``postgresql+asyncpg://…``), checked."""
    text = text.strip()
    if not text:
        return None
    scheme = text.split("://", 1)[0] if "://" in text else ""
    if scheme not in ("postgresql", "postgresql+asyncpg"):
        raise SettingsError(
            f"{name} must be a PostgreSQL URL, postgresql://user:password@host/database"
            " (or postgresql+asyncpg://…); a SQLite file is given as FARMDOCK_DB or --db"
        )
    return text


def _values(
    environ: Mapping[str, str] | None, env_file: str | Path | None
) -> dict[str, str]:
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return values


def export_env_file(env_file: str | Path = ".env") -> None:
    """Put the FARMDOCK_* values of ``env_file`` that the environment lacks into it.

    Settings are read through :func:`load_settings`, but policy tables are loaded deep in
    the domain code and in worker processes, which read the environment: exporting makes
    every part of the process see what ``.env`` says, the environment still winning.
    """
    for name, value in _values({}, env_file).items():
        if name.startswith("FARMDOCK_"):
            os.environ.setdefault(name, value)


def policy_dir(text: str) -> Path | None:
    """The FARMDOCK_POLICY_DIR directory, checked: it exists and its tables are sound."""
    text = text.strip()
    if not text:
        return None
    path = Path(text)
    if not path.is_dir():
        raise SettingsError(
            f"{POLICY_DIR_VARIABLE}={text!r} is not a directory: name a directory of policy "
            "files (e.g. limits.json) or unset it"
        )
    try:
        read_limits(path)
        read_ticket_policy(path)
        # The monitoring tables (basket.json, price_alerts.json).
        read_basket(path)
        read_alert_policy(path)
        read_survey_items(path)  # and the survey's targets, which it checks against
    except PolicyError as error:
        raise SettingsError(f"{POLICY_DIR_VARIABLE}={text!r}: {error}") from None
    return path


def _positive_number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value > 0):
        raise SettingsError(f"{name}={text!r} must be a positive number")
    return value


def _positive_integer(text: str, name: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(f"{name}={text!r} must be a whole number of at least 1")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise SettingsError(f"FARMDOCK_WEBHOOK_PORT={text!r} must be a port number (1-65535)")
    return int(text)


_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def _proxy(text: str) -> str | None:
    if not text:
        return None
    url = urlsplit(text)
    try:
        valid = url.scheme.lower() in _PROXY_SCHEMES and bool(url.hostname) and (
            url.port is None or url.port > 0
        )
    except ValueError:  # a port that is not a number
        valid = False
    if not valid:
        raise SettingsError(
            f"FARMDOCK_PROXY={text!r} is not a proxy URL: use http://host:port, "
            "https://host:port, socks5://host:port or socks5h://host:port "
            "(user:password@ before the host if it needs a login)"
        )
    return text


def _chat_ids(text: str) -> tuple[int, ...]:
    parts = [p for p in re.split(r"[,\s]+", text) if p]
    if not all(re.fullmatch(r"-?\d+", p) for p in parts):
        raise SettingsError(
            f"FARMDOCK_OPERATOR_CHAT_IDS={text!r} must be Telegram chat ids separated by commas"
        )
    return tuple(int(p) for p in parts)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Every getUpdates call would otherwise be logged at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
