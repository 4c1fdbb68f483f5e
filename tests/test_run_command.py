"""``farmdock run`` as an operator starts it: a real process against the fake Bot API."""

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.fake_bot_api import FakeBotApi, FakeUser

TOKEN = "123456:TEST-token"


async def start_bot(fake_api: FakeBotApi, db: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FARMDOCK_")}
    env.update(FARMDOCK_TOKEN=TOKEN, FARMDOCK_API_BASE_URL=fake_api.base_url,
               FARMDOCK_DB=str(db), FARMDOCK_LOG_LEVEL="WARNING")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=db.parent,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
async def test_run_answers_start_and_stops_cleanly_on_signal(
    fake_api: FakeBotApi, make_user: type[FakeUser], tmp_path: Path, stop_signal: int
) -> None:
    db = tmp_path / "city.db"
    process = await start_bot(fake_api, db)
    try:
        await fake_api.wait_until(lambda: bool(fake_api.calls_to("getUpdates")), timeout=30)
        user = make_user("王师傅")
        user.send("/start")
        reply = await user.next_message(timeout=15)
        assert reply.text
        process.send_signal(stop_signal)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    # SQLite removes the WAL file only when the last connection closes cleanly.
    assert os.path.exists(db) and not os.path.exists(f"{db}-wal")  # noqa: ASYNC240
