"""Fixtures of the sealed-area tests: an open database of the test's own, on each backend."""

from tests.storage.conftest import db

__all__ = ["db"]
