"""The bot end to end: simulated users posting and confirming, beside a plain echo bot.

N users, half growers and half buyers already signed up, each post M one-line
listings concurrently: send the line, wait for the card, press 确认发布, wait
for 已发布. Everything goes over HTTP through the fake Bot API on 127.0.0.1 and
a real SQLite file. In the same run, the plainest python-telegram-bot echo bot
answers the same number of updates from the same number of users: the ceiling
for any bot built on the library here.

Two phases, each for both bots:

saturated
    Users act again the moment they get a reply: the most updates per second
    the bot can take. Latency here is mostly queueing (by Little's law it is
    the number of users over the throughput, for the echo bot too).
paced
    Users read and type as people do, 1 to 3 seconds between actions: the
    latency from a user's update to the bot's reply under a busy hour's load.

In these two the bot runs with Telegram's 30 messages a second overall cap
lifted (the fake server does not enforce it, and with it the run would measure
the cap, not the bot); match notices still go through the outbox sender at
Telegram's pace.

Then replies against a broadcast, with the cap on and the fake server enforcing
Telegram's limits (30 messages a second overall, one a second per chat, 429
beyond), the users at a human pace again:

capped
    No broadcast: the reply latency the cap alone allows.
broadcast
    The same, while the outbox drains ``--notices`` (10,000) notices to other
    chats. Replies take the send budget first, so their latency should match the
    run without; the broadcast takes what is left, so it should end within 1.1x
    of the minimum the limits allow: every message delivered meanwhile (notices,
    replies, match notices) over 30 a second.

Here each user starts at a random moment of their first post's cycle, as people
do, rather than all hundred in the same two seconds: that burst alone would ask
for 50 cards a second and measure the cap, not the priority.

The reply is the confirm card (a new message, so it takes a turn of the budget);
the 已发布 receipt is an edit of it (no turn). Figures are from one process on a
shared machine: the fake server, the users and the bot share its cores, so they
are noisy; compare the two runs of the same invocation.

Run: .venv/bin/python -m benchmarks.bench_bot [--users 100] [--posts 5] [--notices 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from benchmarks.echo_bot import build_echo_application
from bot.app import build_application
from bot.matching.regions import get_gazetteer
from bot.services.messages import Message, outgoing
from bot.services.runtime import SERVICES_KEY, Services
from bot.settings import load_settings
from bot.telegram.transport import TELEGRAM_OVERALL_RATE
from storage.database import Database
from tests.fake_bot_api import FakeBotApi, FakeUser, SentMessage, running_application
from tests.stores import each

TOKEN = "123456:BENCH-token"
PRODUCTS = ("大白菜", "土豆", "西红柿", "黄瓜", "鸡蛋", "小麦", "大米", "猪肉")
TARGET_RATIO = 0.30
TARGET_P95_MS = 250.0
TARGET_REPLY_P95_MS = 500.0  # the confirm card, during a broadcast
TARGET_BROADCAST_RATIO = 1.1
THINK_SECONDS = (1.0, 3.0)
NOTICE_CHATS = 5_000_000_000  # broadcast recipients: chat ids above every user's


async def timed(latencies: list[float], send: Callable[[], object],
                reply: Callable[[], Awaitable[SentMessage]]) -> SentMessage:
    """Send one update and wait for the bot's reply; record the time in between."""
    started = time.perf_counter()
    send()
    message = await reply()
    latencies.append(time.perf_counter() - started)
    return message


Pause = Callable[[], Awaitable[None]]


async def no_pause() -> None:
    return None


def thinking(rng: random.Random) -> Pause:
    async def pause() -> None:
        await asyncio.sleep(rng.uniform(*THINK_SECONDS))

    return pause


def staggered(rng: random.Random) -> Pause:
    """``thinking``, with the first pause anywhere in one post's cycle (two pauses)."""
    think = thinking(rng)
    started = False

    async def pause() -> None:
        nonlocal started
        if not started:
            started = True
            await asyncio.sleep(rng.uniform(0, 2 * THINK_SECONDS[1]))
        await think()

    return pause


async def farmdock_user(
    user: FakeUser, role: str, posts: int, cards: list[float], receipts: list[float],
    pause: Pause,
) -> None:
    rng = random.Random(user.id)
    verb = "出售" if role == "grower" else "求购"
    for _ in range(posts):
        line = (f"{verb}{rng.choice(PRODUCTS)}{rng.randint(1, 50) * 100}斤，"
                f"{rng.randint(5, 30) / 10}元/斤")
        await pause()
        card = await timed(cards, lambda line=line: user.send(line), lambda: user.next_message(
            lambda m: "确认" in " ".join(m.button_texts()), timeout=300))
        await pause()
        # The card turns into the 已发布 receipt in place.
        await timed(receipts, lambda card=card: user.press(card, "确认"),
                    lambda card=card: user.server.wait_for_message(
                        user.id, lambda m: m.message_id == card.message_id and "编号" in m.content,
                        timeout=300))


async def echo_user(user: FakeUser, updates: int, latencies: list[float], pause: Pause) -> None:
    for i in range(updates):
        text = f"回声 {user.id} {i}"
        await pause()
        await timed(latencies, lambda text=text: user.send(text), lambda text=text:
                    user.next_message(lambda m: m.content == text, timeout=120))


async def seed_users(db_path: Path, people: list[FakeUser]) -> list[str]:
    """Sign everyone up directly in the database, spread over the city's townships."""
    gazetteer = get_gazetteer()
    places = [(c, t) for c in gazetteer.county_names() for t in gazetteer.townships(c)]
    roles = []
    async with await Database.open(db_path) as db:
        for i, person in enumerate(people):
            role = "grower" if i % 2 == 0 else "buyer"
            county, township = places[i % len(places)]
            await each(db).users.upsert(person.id, role=role, name=f"用户{i}",
                                        county=county, township=township, phone=f"138{i:08d}")
            roles.append(role)
    return roles


def percentiles(latencies: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def summary(name: str, updates: int, elapsed: float, latencies: list[float]) -> dict[str, float]:
    p50, p95 = percentiles(latencies)
    figures = {"updates_per_s": updates / elapsed, "p50_ms": p50, "p95_ms": p95}
    print(f"{name:<20} {updates:>6} updates in {elapsed:6.2f} s: "
          f"{figures['updates_per_s']:8.1f} updates/s, p50 {figures['p50_ms']:6.1f} ms, "
          f"p95 {figures['p95_ms']:6.1f} ms")
    return figures


async def run_echo(server: FakeBotApi, n_users: int, updates: int, paced: bool,
                   label: str) -> dict[str, float]:
    people = [server.user() for _ in range(n_users)]
    latencies: list[float] = []
    async with running_application(build_echo_application(TOKEN, server.base_url)):
        started = time.perf_counter()
        await asyncio.gather(*(
            echo_user(u, updates, latencies, thinking(random.Random(u.id)) if paced else no_pause)
            for u in people
        ))
        return summary(label, n_users * updates, time.perf_counter() - started, latencies)


def bench_settings(server: FakeBotApi, db_path: Path):  # type: ignore[no-untyped-def]
    return load_settings({
        "FARMDOCK_TOKEN": TOKEN, "FARMDOCK_API_BASE_URL": server.base_url,
        "FARMDOCK_DB": str(db_path),
    }, env_file=None)


async def drive_users(people: list[FakeUser], roles: list[str], posts: int, paced: bool
                      ) -> tuple[float, list[float]]:
    """Every user posts and confirms ``posts`` listings at once; the seconds it took and
    each reply's latency (cards and receipts)."""
    cards: list[float] = []
    receipts: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(
        farmdock_user(u, role, posts, cards, receipts,
                      thinking(random.Random(u.id)) if paced else no_pause)
        for u, role in zip(people, roles, strict=True)
    ))
    return time.perf_counter() - started, cards + receipts


async def run_farmdock(server: FakeBotApi, db_path: Path, n_users: int, posts: int, paced: bool,
                       label: str) -> tuple[dict[str, float], float]:
    people = [server.user() for _ in range(n_users)]
    roles = await seed_users(db_path, people)
    application = build_application(bench_settings(server, db_path), overall_max_rate=0)
    async with running_application(application):
        elapsed, latencies = await drive_users(people, roles, posts, paced)
    figures = summary(label, n_users * posts * 2, elapsed, latencies)
    return figures, n_users * posts / elapsed


async def run_capped(server: FakeBotApi, db_path: Path, n_users: int, posts: int,
                     notices: int, label: str) -> dict[str, float]:
    """Users at a human pace with the cap on and Telegram's limits enforced, while the
    outbox drains ``notices`` notices to other chats (none: no broadcast)."""
    people = [server.user() for _ in range(n_users)]
    roles = await seed_users(db_path, people)
    limits = server.enable_limits()
    cards: list[float] = []
    receipts: list[float] = []
    async with running_application(build_application(bench_settings(server, db_path))) as app:
        services: Services = app.bot_data[SERVICES_KEY]
        await each(services.db).outbox.enqueue([
            outgoing(f"bench|{NOTICE_CHATS + n}|notice", NOTICE_CHATS + n, "notice",
                     Message(f"通知 {n}"))
            for n in range(notices)
        ])
        first = len(server.sent)
        started = time.monotonic()
        services.wake_outbox()
        await asyncio.gather(*(
            farmdock_user(u, role, posts, cards, receipts, staggered(random.Random(u.id)))
            for u, role in zip(people, roles, strict=True)
        ))
        users_done = time.monotonic() - started
        await server.wait_until(_notices_counter(server, first, notices),
                                timeout=notices / 10 + 600, what="the broadcast")
        delivered = server.sent[first:]
    card_p50, card_p95 = percentiles(cards)
    receipt_p50, receipt_p95 = percentiles(receipts)
    print(f"{label:<28} card p50 {card_p50:6.1f} ms, p95 {card_p95:6.1f} ms; "
          f"receipt (an edit) p50 {receipt_p50:6.1f} ms, p95 {receipt_p95:6.1f} ms; "
          f"users done in {users_done:.1f} s; 429s {limits.rejected}")
    figures = {"card_p50_ms": card_p50, "card_p95_ms": card_p95, "rejected": limits.rejected}
    if notices:
        # From the wake to the last notice; every message delivered meanwhile counts
        # against the limit: replies, match notices and the notices themselves.
        end = max(m.delivered_at for m in delivered if m.chat_id >= NOTICE_CHATS)
        meanwhile = [m for m in delivered if m.delivered_at <= end]
        elapsed = end - started
        minimum = len(meanwhile) / TELEGRAM_OVERALL_RATE
        print(f"{'':<28} broadcast: {notices} notices + {len(meanwhile) - notices} other "
              f"messages in {elapsed:.1f} s; minimum the limits allow {minimum:.1f} s "
              f"({len(meanwhile)} / {TELEGRAM_OVERALL_RATE:.0f} per s); "
              f"ratio {elapsed / minimum:.3f} (target <= {TARGET_BROADCAST_RATIO})")
        figures["broadcast_ratio"] = elapsed / minimum
    server.limits = None
    return figures


def _notices_counter(server: FakeBotApi, first: int, notices: int) -> Callable[[], bool]:
    """A condition for ``wait_until``: all ``notices`` delivered (counted incrementally)."""
    seen = {"upto": first, "notices": 0}

    def done() -> bool:
        sent = server.sent
        seen["notices"] += sum(1 for m in sent[seen["upto"]:] if m.chat_id >= NOTICE_CHATS)
        seen["upto"] = len(sent)
        return seen["notices"] >= notices

    return done


async def main(n_users: int, posts: int, notices: int) -> int:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotApi() as server:
            # Both bots run in this process and event loop, one after the other.
            echo = await run_echo(server, n_users, posts * 2, False, "echo, saturated")
            ours, listings_per_s = await run_farmdock(
                server, Path(tmp) / "saturated.db", n_users, posts, False, "farmdock, saturated"
            )
            paced_echo = await run_echo(server, n_users, posts * 2, True, "echo, paced")
            paced, _ = await run_farmdock(
                server, Path(tmp) / "paced.db", n_users, posts, True, "farmdock, paced"
            )
            quiet = await run_capped(server, Path(tmp) / "capped.db", n_users, posts, 0,
                                     "farmdock, capped")
            busy = await run_capped(server, Path(tmp) / "broadcast.db", n_users, posts,
                                    notices, f"farmdock, {notices} notices")
    ratio = ours["updates_per_s"] / echo["updates_per_s"]
    print(f"farmdock: {listings_per_s:.1f} listings/s confirmed end to end, saturated "
          f"({n_users} users x {posts} posts, 2 updates each)")
    print(f"ratio farmdock/echo updates per second: {ratio:.2f} (target >= {TARGET_RATIO:.2f})")
    print(f"p95 with {n_users} users at a human pace: farmdock {paced['p95_ms']:.0f} ms, "
          f"echo {paced_echo['p95_ms']:.0f} ms (target <= {TARGET_P95_MS:.0f} ms)")
    print(f"confirm card with the cap on: p50/p95 {quiet['card_p50_ms']:.0f}/"
          f"{quiet['card_p95_ms']:.0f} ms without a broadcast, {busy['card_p50_ms']:.0f}/"
          f"{busy['card_p95_ms']:.0f} ms during {notices} notices "
          f"(target p95 <= {TARGET_REPLY_P95_MS:.0f} ms); broadcast ratio "
          f"{busy.get('broadcast_ratio', 0):.3f} (target <= {TARGET_BROADCAST_RATIO})")
    met = (
        ratio >= TARGET_RATIO and paced["p95_ms"] <= TARGET_P95_MS
        and busy["card_p95_ms"] <= TARGET_REPLY_P95_MS
        and (not notices or busy["broadcast_ratio"] <= TARGET_BROADCAST_RATIO)
    )
    return 0 if met else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--posts", type=int, default=5, help="listings per user (at most 20)")
    parser.add_argument("--notices", type=int, default=10_000,
                        help="notices the outbox broadcasts during the last run")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.users, min(args.posts, 20), args.notices)))
