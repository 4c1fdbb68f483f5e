"""Use cases of transport passes, shared by the bot and ``farmdock passes``: apply,
approve, reject, revoke, verify, and the register of an area.

Every use case takes the open unit of work and the acting user and checks, here on the
server, that the user may do it (:func:`bot.matching.passes.may_decide` for officials'
decisions); a refusal is a :class:`PassRefused` with a code the caller words. Messages
to anyone but the caller (officials to decide, the applicant's pass) go through the
outbox in the same transaction.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from bot.matching.clock import local_today
from bot.matching.passes import (
    REASONS,
    CrewMember,
    Endpoint,
    Reason,
    Validity,
    check_route,
    deep_link,
    issuer_code,
    judge,
    may_decide,
    pass_number,
    sign,
    signed_number,
)
from bot.matching.text import clean_text
from bot.services import actions
from bot.services.digest_files import text_cell
from bot.services.messages import Attachment, Button, Message, grid, outgoing
from bot.services.pass_image import PassCard, render_pass
from bot.texts import passes as texts
from storage.interfaces import UnitOfWork
from storage.records import TransportPass, User

MIN_REASON, MAX_REASON = 2, 200


class PassRefused(Exception):
    """The acting user may not do this, or the pass is not in a state for it. ``code``:
    not_allowed, not_yours, not_found, not_pending, not_approved, no_secret, bad_reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


REFUSALS = {
    "not_allowed": texts.NOT_ALLOWED, "not_yours": texts.NOT_YOURS,
    "not_found": texts.NOT_FOUND, "not_pending": texts.NOT_PENDING,
    "not_approved": texts.NOT_APPROVED, "no_secret": texts.NO_SECRET,
    "bad_reason": texts.BAD_REASON,
}


@dataclass(frozen=True, slots=True)
class PassApplication:
    """What an applicant declares: one vehicle, its people, the goods, one route, the days."""

    plate: str
    crew: tuple[CrewMember, ...]
    category: str
    origin: Endpoint
    destination: Endpoint
    valid_from: date
    valid_until: date


def origin_of(p: TransportPass) -> Endpoint:
    return Endpoint(p.origin_county, p.origin_outside)


def destination_of(p: TransportPass) -> Endpoint:
    return Endpoint(p.destination_county, p.destination_outside)


def may_decide_on(actor: User, p: TransportPass) -> bool:
    """Whether ``actor`` may approve, reject or revoke ``p``."""
    return may_decide(actor.role, actor.status, actor.county, actor.township,
                      origin_of(p), destination_of(p))


# ---------------------------------------------------------------- apply


async def may_apply(uow: UnitOfWork, actor: User) -> bool:
    """Growers, buyers with a match, officials (on someone's behalf) and admins."""
    if actor.status != "active":
        return False
    if actor.role == "buyer":
        return await uow.passes.has_match(actor.telegram_id)
    return True


async def apply(uow: UnitOfWork, actor: User, application: PassApplication, *, now: float,
                applicant: User | None = None) -> TransportPass:
    """File an application (pending) and tell the officials who may decide it.

    ``applicant`` is whom the pass is for when staff apply on their behalf; otherwise
    the actor applies for themselves.
    """
    if applicant is not None and applicant.telegram_id != actor.telegram_id:
        if not actor.is_staff or actor.status != "active":
            raise PassRefused("not_allowed")
    elif not await may_apply(uow, actor):
        raise PassRefused("not_allowed")
    check_route(application.origin, application.destination)
    for_whom = applicant or actor
    filed = await uow.passes.add(
        applicant_id=for_whom.telegram_id, applied_by=actor.telegram_id,
        plate=application.plate,
        crew=[{"name": m.name, "phone": m.phone} for m in application.crew],
        category=application.category,
        origin=(application.origin.county, application.origin.outside),
        destination=(application.destination.county, application.destination.outside),
        valid_from=application.valid_from.isoformat(),
        valid_until=application.valid_until.isoformat(), now=now,
    )
    await uow.audit.write(actor.telegram_id, "pass.apply", f"pass:{filed.id}",
                          applicant=for_whom.telegram_id)
    deciders = await deciders_of(uow, filed)
    notice = texts.to_decide(filed.id, for_whom.display_name, summary(filed, phones=True))
    await uow.outbox.enqueue([
        outgoing(f"pass:{filed.id}:decide:{official.telegram_id}", official.telegram_id,
                 "pass", Message(notice, decision_buttons(filed.id)))
        for official in deciders
    ])
    return filed


async def deciders_of(uow: UnitOfWork, p: TransportPass) -> list[User]:
    """The officials who may approve or reject ``p``: of its in-city ends' units."""
    found: dict[int, User] = {}
    for end in (origin_of(p), destination_of(p)):
        if end.in_city:
            for official in await uow.users.officials_covering(end.county, None):
                if may_decide_on(official, p):
                    found[official.telegram_id] = official
    return list(found.values())


def decision_buttons(pass_id: int) -> Any:
    return grid([Button(texts.APPROVE, actions.pass_decision("ok", pass_id)),
                 Button(texts.REJECT, actions.pass_decision("no", pass_id))], 2)


# ---------------------------------------------------------------- decide


@dataclass(frozen=True, slots=True)
class Issued:
    """An approved pass, its token and its image."""

    record: TransportPass
    token: str
    link: str
    image: bytes


async def approve(uow: UnitOfWork, actor: User, pass_id: int, *, secret: str | None,
                  bot_username: str, tz: ZoneInfo, now: float) -> Issued:
    """Approve a pending pass: it gets its number (the actor's unit's code and its next
    serial), and the applicant its image through the outbox."""
    if not secret:
        raise PassRefused("no_secret")
    p = await decidable(uow, actor, pass_id)
    if p.status != "pending":
        raise PassRefused("not_pending")
    assert actor.county is not None  # may_decide holds
    code = issuer_code(actor.county)
    number = pass_number(code, await uow.passes.next_serial(code))
    if not await uow.passes.decide(p.id, status="approved", by=actor.telegram_id, now=now,
                                   number=number, issuer_county=actor.county):
        raise PassRefused("not_pending")
    record = await uow.passes.get(p.id)
    assert record is not None
    token = sign(number, secret)
    link = deep_link(bot_username, token)
    image = await asyncio.to_thread(render_pass, card_of(record, link))
    await uow.audit.write(actor.telegram_id, "pass.approve", f"pass:{p.id}", number=number)
    await uow.outbox.enqueue([outgoing(
        f"pass:{p.id}:issued", record.applicant_id, "pass",
        Message(texts.issued(number, summary(record, phones=False)),
                attachment=Attachment("photo", f"pass-{number}.png", image)),
    )])
    return Issued(record, token, link, image)


async def reject(uow: UnitOfWork, actor: User, pass_id: int, reason: str, *, now: float
                 ) -> TransportPass:
    """Reject a pending application, telling the applicant why."""
    reason = _reason(reason)
    p = await decidable(uow, actor, pass_id)
    if not await uow.passes.decide(p.id, status="rejected", by=actor.telegram_id, now=now,
                                   reason=reason):
        raise PassRefused("not_pending")
    await uow.audit.write(actor.telegram_id, "pass.reject", f"pass:{p.id}", reason=reason)
    await uow.outbox.enqueue([outgoing(f"pass:{p.id}:rejected", p.applicant_id, "pass",
                                       Message(texts.rejected(p.id, reason)))])
    found = await uow.passes.get(p.id)
    assert found is not None
    return found


async def revoke(uow: UnitOfWork, actor: User, pass_id: int, reason: str, *, now: float
                 ) -> TransportPass:
    """Revoke an approved pass: from now on it verifies as 已吊销."""
    reason = _reason(reason)
    p = await decidable(uow, actor, pass_id)
    if not await uow.passes.revoke(p.id, by=actor.telegram_id, reason=reason, now=now):
        raise PassRefused("not_approved")
    await uow.audit.write(actor.telegram_id, "pass.revoke", f"pass:{p.id}", reason=reason)
    await uow.outbox.enqueue([outgoing(f"pass:{p.id}:revoked", p.applicant_id, "pass",
                                       Message(texts.revoked(p.number or "", reason)))])
    found = await uow.passes.get(p.id)
    assert found is not None
    return found


async def decidable(uow: UnitOfWork, actor: User, pass_id: int) -> TransportPass:
    """The pass, held for this unit of work, if ``actor`` may decide or revoke it."""
    p = await uow.passes.lock(pass_id)
    if p is None:
        raise PassRefused("not_found")
    if not may_decide_on(actor, p):
        raise PassRefused("not_yours")  # the caller audits it, in a unit of work it commits
    return p


def _reason(text: str) -> str:
    reason = " ".join(clean_text(text).split())
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise PassRefused("bad_reason")
    return reason


# ---------------------------------------------------------------- verify


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer a checkpoint gets: valid, or why not; the pass when the token is genuine
    and names an issued pass."""

    reason: Reason | None
    record: TransportPass | None

    @property
    def valid(self) -> bool:
        return self.reason is None

    @property
    def reason_text(self) -> str | None:
        return None if self.reason is None else REASONS[self.reason]


async def verify(uow: UnitOfWork, token: str, *, secret: str | None, today: date
                 ) -> Verification:
    """Check a token as scanned or typed (anything at all): see
    :mod:`bot.matching.passes` for the order of the checks."""
    if not secret:
        raise PassRefused("no_secret")
    number = signed_number(token.strip(), secret)
    if number is None:
        return Verification("bad_signature", None)
    record = await uow.passes.by_number(number)
    reason = judge(None if record is None else Validity(
        record.status, date.fromisoformat(record.valid_from),
        date.fromisoformat(record.valid_until)), today)
    return Verification(reason, record if reason != "unknown" else None)


async def verify_now(uow: UnitOfWork, token: str, *, secret: str | None, tz: ZoneInfo,
                     now: float) -> Verification:
    return await verify(uow, token, secret=secret, today=local_today(tz, now))


# ---------------------------------------------------------------- showing a pass


def people_of(p: TransportPass, *, phones: bool) -> list[tuple[str, str | None]]:
    return [(m["name"], m["phone"] if phones else None) for m in p.people]


def summary(p: TransportPass, *, phones: bool) -> str:
    """The pass as message text (HTML); crew phones only when ``phones`` (officials)."""
    return texts.summary(p.plate, people_of(p, phones=phones), p.category,
                         origin_of(p).label, destination_of(p).label, p.valid_from,
                         p.valid_until, p.number)


def issuer_label(p: TransportPass) -> str:
    return texts.ISSUER.format(county=p.issuer_county) if p.issuer_county else ""


def card_of(p: TransportPass, link: str) -> PassCard:
    people = p.people
    return PassCard(
        number=p.number or "", plate=p.plate,
        route=f"{origin_of(p).label} → {destination_of(p).label}", goods=p.category,
        validity=f"{p.valid_from} 至 {p.valid_until}",
        driver=people[0]["name"] if people else "", issuer=issuer_label(p), link=link,
    )


def as_json(p: TransportPass, *, phones: bool) -> dict[str, Any]:
    """A pass as the CLI prints it; crew phones only when ``phones``."""
    return {
        "id": p.id, "number": p.number, "status": p.status, "plate": p.plate,
        "category": p.category, "origin": origin_of(p).label,
        "origin_in_city": origin_of(p).in_city, "destination": destination_of(p).label,
        "destination_in_city": destination_of(p).in_city,
        "valid_from": p.valid_from, "valid_until": p.valid_until,
        "driver": _person(p.people[0], phones) if p.people else None,
        "crew": [_person(m, phones) for m in p.people[1:]],
        "issuer": issuer_label(p) or None, "applicant_id": p.applicant_id,
        "decision_reason": p.reason,
    }


def _person(member: dict[str, str], phones: bool) -> dict[str, str]:
    return {"name": member["name"], "phone": member["phone"]} if phones else {
        "name": member["name"]}


def verification_json(found: Verification) -> dict[str, Any]:
    """``farmdock passes verify --format json``: {"valid", "reason", "pass"}; reason is
    null for a valid pass, pass null when the token names no issued pass; no phones."""
    return {"valid": found.valid, "reason": found.reason_text,
            "pass": None if found.record is None else as_json(found.record, phones=False)}


def verification_text(found: Verification, *, phones: bool) -> str:
    """The bot's answer to a scan or /verify."""
    if found.record is None:
        return texts.invalid(found.reason_text or "", None)
    details = summary(found.record, phones=phones)
    if found.valid:
        return texts.valid(details, issuer_label(found.record))
    return texts.invalid(found.reason_text or "", details)


# ---------------------------------------------------------------- the register


def register_workbook(records: list[TransportPass], tz: ZoneInfo) -> bytes:
    """An .xlsx of passes, one row each (officials' register: phones included). CPU work
    for a big area: call through ``asyncio.to_thread``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("通行证")
    sheet.freeze_panes = "A2"
    sheet.append(list(texts.REGISTER_COLUMNS))

    def when(ts: float | None) -> str | None:
        return None if ts is None else f"{datetime.fromtimestamp(ts, tz):%Y-%m-%d %H:%M}"

    for p in records:
        people = p.people
        driver = people[0] if people else {"name": "", "phone": ""}
        crew = "；".join(f"{m['name']} {m['phone']}" for m in people[1:])
        values: list[object] = [
            p.id, p.number, texts.STATUS_NAMES.get(p.status, p.status), p.plate, p.category,
            origin_of(p).label, destination_of(p).label, p.valid_from, p.valid_until,
            driver["name"], driver["phone"], crew, issuer_label(p), when(p.created_at),
            when(p.decided_at), p.reason,
        ]
        sheet.append([text_cell(sheet, v) if isinstance(v, str) else v for v in values])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
