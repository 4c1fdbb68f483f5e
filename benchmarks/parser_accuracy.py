"""Field accuracy of the parser on the table of real-looking posts, per field and overall.

    .venv/bin/python -m benchmarks.parser_accuracy [--show-misses]
"""

from __future__ import annotations

import argparse

from bot.matching.parser import draft_to_json, parse_post
from tests.matching.post_table import FIELDS, REFERENCE_DAY, load_posts, wrong_fields


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--show-misses", action="store_true", help="print every wrong field")
    show = args.parse_args().show_misses
    posts = load_posts()
    misses = dict.fromkeys(FIELDS, 0)
    for post in posts:
        result = draft_to_json(parse_post(post.text, REFERENCE_DAY))
        for field in wrong_fields(post, result):
            misses[field] += 1
            if show:
                print(f"line {post.line}: {field}: expected {post.expected[field]!r}, "
                      f"got {result[field]!r}  | {post.text}")  # fmt: skip
    print(f"posts: {len(posts)}")
    for field in FIELDS:
        print(f"{field:<12} {1 - misses[field] / len(posts):7.2%}")
    total = 1 - sum(misses.values()) / (len(posts) * len(FIELDS))
    print(f"{'all fields':<12} {total:7.2%}")


if __name__ == "__main__":
    main()
