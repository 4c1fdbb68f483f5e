"""A sample day for newcomers: ``farmdock demo`` loads it and prints two digests.

``sample_day.tsv`` holds 150 posts from growers and buyers in every county-level
unit, typed the way people type them (Chinese numerals, 块钱一斤, local names
such as 洋芋 and 地蛋, phone numbers in the text). People and numbers are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from importlib import resources

from storage.records import Role


@dataclass(frozen=True, slots=True)
class SamplePost:
    at: time  # local time of day the post was sent
    role: Role
    organisation: str
    county: str
    township: str | None
    text: str


def sample_posts() -> list[SamplePost]:
    """The sample day's posts in the order they were sent."""
    rows = resources.files(__name__).joinpath("sample_day.tsv").read_text("utf-8").splitlines()
    posts = []
    for row in rows:
        if not row.strip() or row.startswith("#"):
            continue
        at, role, organisation, county, township, text = row.split("\t")
        posts.append(SamplePost(
            time.fromisoformat(at), role, organisation, county, township or None, text,  # type: ignore[arg-type]
        ))
    return posts
