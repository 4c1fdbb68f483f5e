"""The parser against the table of real-looking posts: every post, and the figures overall."""

from __future__ import annotations

import pytest

from tests.matching.post_table import (
    Post,
    all_products_found,
    checked_fields,
    kinds_right,
    load_posts,
    result_for,
    wrong_fields,
)

POSTS = load_posts()
MIN_FIELD_ACCURACY = 0.98
MIN_POSTS_RIGHT = 0.97
MIN_KIND = 0.98
MIN_MULTI_FOUND = 0.95


def test_table_is_large_enough() -> None:
    assert len(POSTS) >= 600
    assert sum(len(p.listings) > 1 for p in POSTS) >= 60
    assert sum(p.not_listing is not None for p in POSTS) >= 60
    assert sum(any(e["standing"] for e in p.listings) for p in POSTS) >= 40


@pytest.mark.parametrize(
    "post",
    [
        pytest.param(p, id=f"line{p.line}", marks=[pytest.mark.xfail(strict=True)] * p.known_miss)
        for p in POSTS
    ],
)
def test_post(post: Post) -> None:
    result = result_for(post)
    wrong = wrong_fields(post, result)
    assert not wrong, f"{post.text!r}: wrong {wrong}: got {result.get('listings', result)}"


def test_figures_overall() -> None:
    results = [(p, result_for(p)) for p in POSTS]
    wrong = sum(len(wrong_fields(p, r)) for p, r in results)
    assert 1 - wrong / sum(checked_fields(p) for p in POSTS) >= MIN_FIELD_ACCURACY
    assert sum(not wrong_fields(p, r) for p, r in results) / len(POSTS) >= MIN_POSTS_RIGHT
    listing_posts = [(p, r) for p, r in results if p.not_listing is None]
    right, scored = map(sum, zip(*(kinds_right(p, r) for p, r in listing_posts), strict=True))
    assert right / scored >= MIN_KIND
    multi = [(p, r) for p, r in listing_posts if len(p.listings) > 1]
    assert sum(all_products_found(p, r) for p, r in multi) / len(multi) >= MIN_MULTI_FOUND
    refused = [not r["ok"] and r.get("not_listing") == p.not_listing
               for p, r in results if p.not_listing is not None]  # fmt: skip
    assert all(refused)
