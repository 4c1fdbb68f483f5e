"""Fixtures shared by the domain tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.matching import policy


@pytest.fixture
def policy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """FARMDOCK_POLICY_DIR names ``tmp_path`` for the test, read afresh as at start-up."""
    monkeypatch.setenv("FARMDOCK_POLICY_DIR", str(tmp_path))
    policy.directory.cache_clear()
    yield tmp_path
    monkeypatch.delenv("FARMDOCK_POLICY_DIR")
    policy.directory.cache_clear()
