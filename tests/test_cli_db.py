import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.backends import cli_args, settings_env


def farmdock(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FARMDOCK_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], env={**clean, **(env or {})},
        capture_output=True, text=True, timeout=timeout, cwd=cwd,
    )


def test_run_without_token_prints_one_clear_line_and_fails(tmp_path: Path) -> None:
    result = farmdock("run", cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "FARMDOCK_TOKEN" in lines[0] and "BotFather" in lines[0]
    assert "Traceback" not in result.stderr


def test_migrate_creates_then_reports_up_to_date(empty_database_target: str) -> None:
    first = farmdock("migrate", *cli_args(empty_database_target))
    assert first.returncode == 0 and "applied migrations [1, 2" in first.stdout
    second = farmdock("migrate", env=settings_env(empty_database_target))
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


def one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single ``farmdock: …`` line of a failed command (no traceback)."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("farmdock: ")
    return lines[0]


@pytest.mark.parametrize("command", [
    ["migrate"], ["digest"], ["users", "list"], ["backup", "copy.db"],
])
def test_a_damaged_database_file_stops_every_command_with_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("garbage\n")
    # A hang (the database thread left running) fails through the timeout.
    line = one_clear_line(farmdock(*command, "--db", str(bad), cwd=tmp_path, timeout=30))
    assert str(bad) in line and "not a database" in line


@pytest.mark.parametrize("command", [
    ["migrate"], ["digest"], ["users", "list"], ["demo"],
])
def test_a_postgresql_server_that_cannot_be_reached_stops_every_command_with_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    url = f"postgresql://farm:secret@/pds?host={tmp_path}/no-server-here"
    line = one_clear_line(farmdock(*command, "--database-url", url, cwd=tmp_path,
                                   timeout=30))
    assert "cannot open database postgresql://farm:***@/pds" in line
    assert "secret" not in line


def test_backup_of_postgresql_without_pg_dump_says_it_is_the_servers_job(
    tmp_path: Path, database_target: str
) -> None:
    if not database_target.startswith("postgresql"):
        pytest.skip("a SQLite backup is SQLite's own (the tests above)")
    without = farmdock("backup", str(tmp_path / "copy.sql"), "--database-url",
                       database_target, env={"PATH": "/nonexistent"})
    line = one_clear_line(without)
    assert "pg_dump is not installed" in line and "server's job" in line
    assert not (tmp_path / "copy.sql").exists()


def test_backup_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "city.db")
    assert farmdock("migrate", "--db", db).returncode == 0
    line = one_clear_line(farmdock("backup", str(tmp_path / "nonexistent" / "x.db"), "--db", db))
    assert "nonexistent" in line


def _subcommands(parser: argparse.ArgumentParser, path: str = "") -> dict[str, Any]:
    """Every leaf subcommand's parser, by its words (``users add``)."""
    found: dict[str, Any] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found.update(_subcommands(child, f"{path} {name}".strip()))
    return found or {path: parser}


def test_every_subcommand_taking_a_file_also_takes_a_postgresql_url() -> None:
    from bot.cli import build_parser

    options = {name: {o for a in parser._actions for o in a.option_strings}
               for name, parser in _subcommands(build_parser()).items()}
    with_db = sorted(name for name, found in options.items() if "--db" in found)
    assert {"migrate", "backup", "demo", "digest", "users add", "users list"} <= set(with_db)
    assert [name for name in with_db if "--database-url" not in options[name]] == []


def test_a_file_and_a_url_at_once_or_a_url_of_another_kind_are_refused(
    tmp_path: Path,
) -> None:
    both = farmdock("migrate", "--db", str(tmp_path / "a.db"), "--database-url",
                    "postgresql://farm@/pds", cwd=tmp_path)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    wrong = farmdock("migrate", "--database-url", "sqlite:///a.db", cwd=tmp_path)
    assert wrong.returncode == 2
    assert one_clear_line(wrong).startswith("farmdock: --database-url must be a PostgreSQL URL")
    env = farmdock("migrate", env={"FARMDOCK_DB": "a.db",
                                   "FARMDOCK_DATABASE_URL": "postgresql://farm@/pds"},
                   cwd=tmp_path)
    assert env.returncode == 2
    line = one_clear_line(env)
    assert "FARMDOCK_DB" in line and "FARMDOCK_DATABASE_URL" in line
    assert not (tmp_path / "a.db").exists()
