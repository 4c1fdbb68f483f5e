"""Several ``farmdock run`` webhook workers behind nginx, against one worker.

For each set-up (N workers on one database), simulated users post and confirm
one-line listings through the fake Bot API, which calls the webhook through nginx
as Telegram would: first at saturation (users act again the moment they get a
reply: the most updates a second the set-up takes), then at a human pace (1 to 3 s
between actions: reply latency under a busy hour's load). Workers run with
Telegram's overall send limit lifted (FARMDOCK_SEND_RATE), or the run would measure
the limit, not the workers.

The table gives updates a second, the ratio to one worker on the same database, and
the CPU seconds each process used: the workers, nginx, the database server (when
there is one) and this process, which is the fake Bot API and the simulated users
together. On a machine with two cores the load driver and the workers compete for
them; the CPU column says where the time went.

With ``--database-url`` (a PostgreSQL server's URL, as a user that may create
databases), the same runs on PostgreSQL too, each set-up in a database of its own
that is dropped afterwards; one worker on SQLite is the embedded default's figure.

Run: .venv/bin/python -m benchmarks.bench_workers [--users 200] [--posts 3]
     [--workers 1,2,4] [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import resource
import signal
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from benchmarks.bench_bot import drive_users, percentiles, seed_users
from tests.backends import settings_env
from tests.fake_bot_api import FakeBotApi
from tests.reverse_proxy import nginx_in_front
from tests.test_run_command import PUBLIC_WEBHOOK_URL, WEBHOOK_SECRET, free_port

TOKEN = "123456:BENCH-token"
TARGET_SCALING = 1.6  # two workers against one, saturated
TARGET_PACED_P95_MS = 300.0
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    updates_per_s: float
    p50_ms: float
    p95_ms: float


@dataclass
class Run:
    label: str
    workers: int
    saturated: Phase
    paced: Phase
    cpu: dict[str, float]


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a live process and its reaped children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + cutime + cstime) / TICKS


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL server process on this machine."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    total += cpu_seconds(int(entry.name))
            except OSError:
                continue
    return total


async def start_worker(server: FakeBotApi, db: str, folder: Path, port: int
                       ) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FARMDOCK_")}
    env.update(settings_env(db))
    env.update(
        FARMDOCK_TOKEN=TOKEN, FARMDOCK_API_BASE_URL=server.base_url,
        FARMDOCK_LOG_LEVEL="ERROR", FARMDOCK_WEBHOOK_URL=PUBLIC_WEBHOOK_URL,
        FARMDOCK_WEBHOOK_LISTEN="127.0.0.1", FARMDOCK_WEBHOOK_PORT=str(port),
        FARMDOCK_WEBHOOK_SECRET=WEBHOOK_SECRET, FARMDOCK_SEND_RATE="100000",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=folder,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )


async def phase(server: FakeBotApi, db: str, users: int, posts: int, paced: bool) -> Phase:
    people = [server.user() for _ in range(users)]
    roles = await seed_users(db, people)
    elapsed, latencies = await drive_users(people, roles, posts, paced)
    p50, p95 = percentiles(latencies)
    return Phase(users * posts * 2 / elapsed, p50, p95)


async def run_setup(folder: Path, db: str, label: str, workers: int, users: int, posts: int
                    ) -> Run:
    async with FakeBotApi() as server:
        ports = [free_port() for _ in range(workers)]
        processes = [await start_worker(server, db, folder, port) for port in ports]
        try:
            await server.wait_until(
                lambda: len(server.calls_to("setWebhook", ok=True)) >= workers,
                timeout=120, what="every worker's webhook")
            async with nginx_in_front(folder / "nginx", ports, "/farmdock-hook") as url:
                server.deliver_by_webhook([url], WEBHOOK_SECRET)
                nginx_pids = [p for p in children(os.getpid()) if p not in
                              {w.pid for w in processes}]
                own_before, pg_before = _own_cpu(), postgres_cpu()
                saturated = await phase(server, db, users, posts, paced=False)
                paced = await phase(server, db, users, posts, paced=True)
                cpu = {f"worker {n + 1}": cpu_seconds(p.pid) for n, p in enumerate(processes)}
                cpu["nginx"] = sum(cpu_seconds(p) + sum(cpu_seconds(c) for c in children(p))
                                   for p in nginx_pids)
                if db.startswith("postgresql"):
                    cpu["PostgreSQL"] = postgres_cpu() - pg_before
                cpu["fake API + users"] = _own_cpu() - own_before
        finally:
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                await process.wait()
    return Run(label, workers, saturated, paced, cpu)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def report(runs: list[Run]) -> bool:
    print(f"{'set-up':<22} {'saturated/s':>11} {'x one':>6} {'p95 ms':>7}   "
          f"{'paced p50':>9} {'p95 ms':>7}   CPU seconds")
    base = {run.label.split(",")[0]: run for run in runs if run.workers == 1}
    ok = all(run.paced.p95_ms <= TARGET_PACED_P95_MS for run in runs)
    for run in runs:
        one = base[run.label.split(",")[0]]
        ratio = run.saturated.updates_per_s / one.saturated.updates_per_s
        cpu = ", ".join(f"{name} {seconds:.1f}" for name, seconds in run.cpu.items())
        print(f"{run.label:<22} {run.saturated.updates_per_s:>11.1f} {ratio:>6.2f} "
              f"{run.saturated.p95_ms:>7.0f}   {run.paced.p50_ms:>9.0f} {run.paced.p95_ms:>7.0f}"
              f"   {cpu}")
        if run.workers == 2:
            ok = ok and ratio >= TARGET_SCALING
    print(f"targets: 2 workers >= {TARGET_SCALING}x one worker saturated; paced p95 <= "
          f"{TARGET_PACED_P95_MS:.0f} ms")
    return ok


async def main(users: int, posts: int, worker_counts: list[int], database_url: str | None
               ) -> int:
    logging.basicConfig(level=logging.ERROR)
    setups = [("sqlite", n) for n in (worker_counts if database_url is None else [1])]
    setups += [("postgresql", n) for n in worker_counts if database_url is not None]
    if database_url is None:
        print("PostgreSQL left out: give --database-url to measure it too")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend, n in setups:
            label = f"{backend}, {n} worker{'s' if n > 1 else ''}"
            folder = Path(tmp) / f"{backend}-{n}"
            folder.mkdir()
            if backend == "sqlite":
                runs.append(await run_setup(folder, str(folder / "city.db"), label, n, users,
                                            posts))
            else:
                assert database_url is not None
                async with fresh_database(database_url, f"farmdock_bench_{n}") as url:
                    runs.append(await run_setup(folder, url, label, n, users, posts))
            print(f"{label}: done", flush=True)
    return 0 if report(runs) else 1


@contextlib.asynccontextmanager
async def fresh_database(server_url: str, name: str) -> AsyncIterator[str]:
    """A new, empty database ``name`` on the server of ``server_url``; dropped after."""
    admin_url = server_url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    parts = urlsplit(admin_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--posts", type=int, default=3, help="listings per user and phase")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--database-url", help="a PostgreSQL server to measure on as well")
    args = parser.parse_args()
    counts = sorted({int(n) for n in args.workers.split(",")})
    if 1 not in counts:
        parser.error("--workers must include 1: the others are compared with it")
    raise SystemExit(asyncio.run(main(args.users, args.posts, counts, args.database_url)))
