"""Fixtures of the survey tests: the policy directory of the domain tests."""

from tests.matching.conftest import policy_dir

__all__ = ["policy_dir"]
