"""Emergency transport passes for supply vehicles (重点物资运输车辆通行证): the rules.

Pure: no I/O; the clock (``today``) and the secret are passed in.

- **One vehicle, one pass, one route** (一车一证一线路). A route runs between two
  county-level units; one end may lie outside the city, never both.
- **The number** is 12 digits: the issuing county-level unit's 6-digit administrative
  code (``data/pass_codes.json``; the functional zones use the code of the district
  their townships belong to by statute) and a 6-digit serial of that unit.
- **The token** a pass's QR code carries is the number, signed: version byte 1, the
  number as 6 bytes, then HMAC-SHA256 over a fixed label, the version and the number
  (all 32 bytes), in unpadded base64url: 39 bytes, exactly 52 characters of
  ``[A-Za-z0-9_-]`` with no spare bits, so every character counts and any changed,
  missing or added character, a token made with another secret or anything not of
  that exact shape fails the check. ``p`` + token (53 characters) fits Telegram's
  64-character start parameter.
- **Verification** answers 有效 or 无效 with one reason, checked in this order: the
  signature (签名无效), the number among those issued (未知), revocation (已吊销), the
  first day (未生效), the last day (已过期). Validity is by calendar day in the
  platform's time zone, both days included; a pass may be used any number of times
  within them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from bot.matching.catalogue import get_catalogue
from bot.matching.datafiles import load_data
from bot.matching.days import read_day
from bot.matching.phones import normalize_phone
from bot.matching.regions import get_gazetteer
from bot.matching.text import clean_text, normalize

TOKEN_LENGTH = 52
TOKEN_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")
_VERSION = 1
_LABEL = b"farmdock-pass"
_NUMBER_BYTES = 6
SERIAL_DIGITS = 6
MAX_SERIAL = 10**SERIAL_DIGITS - 1
# The start parameter of a scanned code: p + token (Telegram allows 64 characters).
START_PREFIX = "p"

Reason = Literal["expired", "revoked", "not_yet_valid", "bad_signature", "unknown"]
REASONS: dict[Reason, str] = {
    "expired": "已过期", "revoked": "已吊销", "not_yet_valid": "未生效",
    "bad_signature": "签名无效", "unknown": "未知",
}
PassStatus = Literal["pending", "approved", "rejected", "revoked"]


# ---------------------------------------------------------------- the number


@cache
def issuer_codes() -> dict[str, str]:
    """The 6-digit code each county-level unit issues under (``data/pass_codes.json``)."""
    return {name: entry["code"] for name, entry in load_data("pass_codes.json")["issuers"].items()}


def issuer_code(county: str) -> str:
    """The code ``county`` issues passes under; KeyError for a unit that issues none."""
    return issuer_codes()[county]


def pass_number(code: str, serial: int) -> str:
    """The 12-digit number of the ``serial``-th pass issued under ``code``."""
    if not (len(code) == 6 and code.isdigit()):
        raise ValueError(f"an issuer's code has 6 digits, not {code!r}")
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError(f"serial {serial} is outside 1–{MAX_SERIAL}")
    return f"{code}{serial:0{SERIAL_DIGITS}d}"


# ---------------------------------------------------------------- the token


class PassSecretError(ValueError):
    """No usable signing secret: passes cannot be issued or checked."""


def _mac(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), _LABEL + payload, hashlib.sha256).digest()


def sign(number: str, secret: str) -> str:
    """The token of pass ``number`` under ``secret``: 52 characters of [A-Za-z0-9_-]."""
    if not secret:
        raise PassSecretError("no pass secret")
    if not (len(number) == 12 and number.isdigit()):
        raise ValueError(f"a pass number has 12 digits, not {number!r}")
    payload = bytes([_VERSION]) + int(number).to_bytes(_NUMBER_BYTES, "big")
    return base64.urlsafe_b64encode(payload + _mac(secret, payload)).decode("ascii")


def signed_number(token: str, secret: str) -> str | None:
    """The pass number ``token`` carries if ``secret`` signed it, else None (altered,
    truncated, foreign, or not a token at all)."""
    if not secret:
        raise PassSecretError("no pass secret")
    if not isinstance(token, str) or TOKEN_PATTERN.fullmatch(token) is None:
        return None
    raw = base64.urlsafe_b64decode(token)
    payload, mac = raw[: 1 + _NUMBER_BYTES], raw[1 + _NUMBER_BYTES :]
    if payload[0] != _VERSION or not hmac.compare_digest(mac, _mac(secret, payload)):
        return None
    value = int.from_bytes(payload[1:], "big")
    return f"{value:012d}" if value < 10**12 else None


def deep_link(bot_username: str, token: str) -> str:
    """What a pass's QR code holds: scanned with a phone's camera, it opens the bot."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={START_PREFIX}{token}"


def token_of_start(argument: str) -> str | None:
    """The token in a /start argument that is a scanned pass (p + token); None otherwise.

    Invite codes are 16 characters, so anything longer that starts with p is taken for
    a pass (and then found valid or not), never for an invite.
    """
    if argument.startswith(START_PREFIX) and len(argument) > 16:
        return argument[len(START_PREFIX):]
    return None


def token_in(text: str) -> str:
    """The token in what a checkpoint typed or pasted: the token itself, p + token, or the
    whole link (…?start=p<token>). Anything else is returned as it is, to fail the check."""
    text = text.strip()
    if "start=" in text:
        text = text.split("start=", 1)[1].split("&", 1)[0]
    if len(text) == TOKEN_LENGTH + len(START_PREFIX) and text.startswith(START_PREFIX):
        text = text[len(START_PREFIX):]
    return text


# ---------------------------------------------------------------- verification


@dataclass(frozen=True, slots=True)
class Validity:
    """What a pass's record says when it is checked."""

    status: PassStatus
    valid_from: date
    valid_until: date


def judge(record: Validity | None, today: date) -> Reason | None:
    """Why a genuinely signed pass is not valid ``today``, or None when it is.

    ``record`` is the issued pass the token names (None: no such pass was issued).
    """
    if record is None or record.status not in ("approved", "revoked"):
        return "unknown"
    if record.status == "revoked":
        return "revoked"
    if today < record.valid_from:
        return "not_yet_valid"
    if today > record.valid_until:
        return "expired"
    return None


# ---------------------------------------------------------------- what an application holds


class PassInputError(ValueError):
    """A field of an application that cannot be taken: ``code`` names what is wrong (the
    words for the user are in ``bot.texts.passes``), ``params`` what they mention."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One end of a route: a county-level unit of the city, or a place outside it."""

    county: str | None = None
    outside: str | None = None

    def __post_init__(self) -> None:
        if (self.county is None) == (self.outside is None):
            raise ValueError("an end of a route is a county of the city or a place outside")

    @property
    def in_city(self) -> bool:
        return self.county is not None

    @property
    def label(self) -> str:
        return self.county or self.outside or ""


@dataclass(frozen=True, slots=True)
class CrewMember:
    name: str
    phone: str


_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# 豫D12345, 豫DF12345 (new energy: six after the letter), 豫D1234挂 (a trailer).
PLATE_PATTERN = re.compile(
    rf"[{_PLATE_PROVINCES}][A-HJ-NP-Z](?:[A-HJ-NP-Z0-9]{{5,6}}|[A-HJ-NP-Z0-9]{{4}}挂)"
)
_PLATE_SEPARATORS = re.compile(r"[\s·•.\-_]")
MAX_CREW = 5
MAX_NAME = 20
_OUTSIDE_NAME = re.compile(r"[\u4e00-\u9fff]{1,14}(?:省|市|县|区|旗|州|盟)")


def read_plate(text: str) -> str:
    """A plate as stored (豫D12345): full-width folded, upper-cased, separators dropped."""
    plate = _PLATE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if PLATE_PATTERN.fullmatch(plate) is None:
        raise PassInputError("plate")
    return plate


_CREW_LINE = re.compile(r"[\n;；,，、]+")
_NAME_PHONE = re.compile(r"^(?P<name>[^\d+]+?)\s*[:：]?\s*(?P<phone>[\d+][\d\s\-—()（）]{6,})$")


def read_crew(text: str) -> tuple[CrewMember, ...]:
    """Driver first, then crew: one person a line (or separated by ；，), name then phone."""
    people = []
    for line in _CREW_LINE.split(clean_text(text)):
        line = line.strip()
        if not line:
            continue
        found = _NAME_PHONE.match(unicodedata.normalize("NFKC", line))
        phone = normalize_phone(found.group("phone")) if found else None
        name = found.group("name").strip() if found else ""
        if found is None or phone is None or not name or len(name) > MAX_NAME:
            raise PassInputError("crew_line", line=line[:30])
        people.append(CrewMember(name, phone))
    if not people:
        raise PassInputError("no_driver")
    if len(people) > MAX_CREW:
        raise PassInputError("too_many", most=MAX_CREW)
    return tuple(people)


def goods_categories() -> list[str]:
    """The goods a pass may carry: the catalogue's categories, in a stable order."""
    names = get_catalogue().canonical_names()
    found = {get_catalogue().get(n).category for n in names}  # type: ignore[union-attr]
    return sorted(found, key=lambda c: (c == "其他", c))


def read_category(text: str) -> str:
    category = normalize(text)
    if category not in goods_categories():
        raise PassInputError("category", categories="、".join(goods_categories()))
    return category


def read_endpoint(text: str) -> Endpoint:
    """A county-level unit of the city (宝丰县, 宝丰县张八桥镇 is read as 宝丰县) or a place
    outside it (郑州市, 山东省寿光市)."""
    typed = normalize(text).replace(" ", "")
    if not typed:
        raise PassInputError("no_place")
    gazetteer = get_gazetteer()
    if typed in gazetteer.county_names():
        return Endpoint(county=typed)
    places = gazetteer.resolve(typed)
    inside = {p.county for p in places if p.in_city and p.county}
    if len(inside) == 1:
        return Endpoint(county=inside.pop())
    if len(inside) > 1:
        raise PassInputError("place_ambiguous", place=typed[:20],
                             counties="、".join(sorted(inside)))
    outside = [p.outside for p in places if p.outside]
    if outside:
        return Endpoint(outside=outside[0])
    if _OUTSIDE_NAME.fullmatch(typed):
        return Endpoint(outside=typed)
    raise PassInputError("place_unknown", place=typed[:20])


def check_route(origin: Endpoint, destination: Endpoint) -> None:
    if not (origin.in_city or destination.in_city):
        raise PassInputError("both_outside")
    if origin == destination:
        raise PassInputError("same_place")


_RANGE_SPLIT = re.compile(r"\s*(?:至|到|~|～|—|－|--)\s*|\s+-\s+|(?<=[日号])-")
# Without a year a lone hyphen can only separate the two days: 5.10-5.20.
_RANGE_OR_DASH = re.compile(r"\s*(?:至|到|~|～|—|－|-+)\s*")


def read_validity(text: str, today: date) -> tuple[date, date]:
    """The first and last day of validity: 5月10日至5月20日, 2022-05-10到2022-05-20,
    今天到5月20日. The first day may not have passed; the last is not before it."""
    typed = normalize(text).strip()
    splitter = _RANGE_SPLIT if re.search(r"\d{4}", typed) else _RANGE_OR_DASH
    parts = [p for p in splitter.split(typed) if p]
    if len(parts) != 2:
        raise PassInputError("no_range")
    first, last = (_ahead(read_day(p, today), p, today) for p in parts)
    if first < today:
        raise PassInputError("past_start")
    check_validity(first, last)
    return first, last


def check_validity(first: date, last: date) -> None:
    """The last day of validity is not before the first (both are included)."""
    if last < first:
        raise PassInputError("end_before_start")


def _ahead(day: date | None, typed: str, today: date) -> date:
    """A day of validity read forward: 1月5日 written in December is next January's."""
    if day is None:
        raise PassInputError("bad_day", day=typed[:20])
    if day < today and not re.match(r"\d{4}", typed):
        try:
            day = day.replace(year=day.year + 1)
        except ValueError:
            pass
    return day


def may_decide(role: str, status: str, area_county: str | None, area_township: str | None,
               origin: Endpoint, destination: Endpoint) -> bool:
    """Whether an official may approve, reject or revoke a pass on this route: an active
    official of the county-level unit (the whole unit, not one of its townships) of its
    origin or destination inside the city."""
    if role != "official" or status != "active" or area_county is None or area_township:
        return False
    return area_county in {e.county for e in (origin, destination) if e.in_city}
