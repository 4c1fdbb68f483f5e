"""The suite runs on both databases; leaving PostgreSQL out is said, never silent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def pytest_run(*args: str) -> str:
    """What a separate pytest run of the job-runs tests prints (its own options only)."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-p", "no:xdist",
         "-p", "no:cacheprovider", *args, "tests/storage/test_job_runs.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_no_postgres_runs_sqlite_alone_and_says_what_it_left_out() -> None:
    printed = pytest_run("--no-postgres", "-q")
    assert "3 passed, 3 deselected" in printed
    assert "PostgreSQL left out (--no-postgres): 3 tests not run" in printed


def test_without_the_flag_every_database_test_runs_on_both() -> None:
    ids = [line for line in pytest_run("--collect-only", "-q").splitlines() if "::" in line]
    assert sum(line.endswith("[sqlite]") for line in ids) == 3
    assert sum(line.endswith("[postgresql]") for line in ids) == 3
