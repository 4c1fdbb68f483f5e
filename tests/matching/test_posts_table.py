"""The parser against the table of real-looking posts: every post, and field accuracy overall."""

from __future__ import annotations

import pytest

from bot.matching.parser import draft_to_json, parse_post
from tests.matching.post_table import FIELDS, REFERENCE_DAY, Post, load_posts, wrong_fields

POSTS = load_posts()
MIN_FIELD_ACCURACY = 0.98


def _result(post: Post) -> dict:
    return draft_to_json(parse_post(post.text, REFERENCE_DAY))


def test_table_is_large_enough() -> None:
    assert len(POSTS) >= 300


@pytest.mark.parametrize(
    "post",
    [
        pytest.param(p, id=f"line{p.line}", marks=[pytest.mark.xfail(strict=True)] * p.known_miss)
        for p in POSTS
    ],
)
def test_post(post: Post) -> None:
    result = _result(post)
    wrong = {f: (post.expected[f], result[f]) for f in wrong_fields(post, result)}
    assert not wrong, f"{post.text!r}: field: (expected, got) {wrong}"


def test_field_accuracy() -> None:
    wrong = sum(len(wrong_fields(p, _result(p))) for p in POSTS)
    accuracy = 1 - wrong / (len(POSTS) * len(FIELDS))
    assert accuracy >= MIN_FIELD_ACCURACY
