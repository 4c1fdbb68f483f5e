import os
import subprocess
import sys
from pathlib import Path


def farmdock(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FARMDOCK_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], env={**clean, **(env or {})},
        capture_output=True, text=True, timeout=60, cwd=cwd,
    )


def test_run_without_token_prints_one_clear_line_and_fails(tmp_path: Path) -> None:
    result = farmdock("run", cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "FARMDOCK_TOKEN" in lines[0] and "BotFather" in lines[0]
    assert "Traceback" not in result.stderr


def test_migrate_creates_then_reports_up_to_date(tmp_path: Path) -> None:
    db = str(tmp_path / "city.db")
    first = farmdock("migrate", "--db", db)
    assert first.returncode == 0 and "applied migrations" in first.stdout
    second = farmdock("migrate", env={"FARMDOCK_DB": db})
    assert second.returncode == 0 and "up to date" in second.stdout


def test_backup_refuses_to_overwrite_and_to_copy_nothing(tmp_path: Path) -> None:
    existing = tmp_path / "exists.db"
    existing.write_text("")
    assert farmdock("backup", str(existing), "--db", str(tmp_path / "x.db")).returncode == 2
    missing = farmdock("backup", str(tmp_path / "new.db"), "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and "no database" in missing.stderr


def test_help_lists_the_subcommands() -> None:
    result = farmdock("--help")
    assert result.returncode == 0
    for command in ("run", "migrate", "backup"):
        assert command in result.stdout
