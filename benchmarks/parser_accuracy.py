"""The parser on the table of real-looking posts: field accuracy per field and overall, posts
entirely right, kind, all products of multi-product posts found, non-listings refused.

    .venv/bin/python -m benchmarks.parser_accuracy [--show-misses]
"""

from __future__ import annotations

import argparse
from collections import Counter

from tests.matching.post_table import (
    all_products_found,
    checked_fields,
    kinds_right,
    load_posts,
    result_for,
    wrong_fields,
)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--show-misses", action="store_true", help="print every wrong field")
    show = args.parse_args().show_misses
    posts = load_posts()
    misses: Counter[str] = Counter()
    wrong_total = right_posts = kind_right = kind_scored = 0
    multi = multi_found = others = refused = 0
    for post in posts:
        result = result_for(post)
        wrong = wrong_fields(post, result)
        wrong_total += len(wrong)
        right_posts += not wrong
        misses.update(w.split(".")[-1] for w in wrong)
        if show and wrong:
            print(f"line {post.line}: wrong {', '.join(wrong)}  | {post.text}")
        if post.not_listing is not None:
            others += 1
            refused += not result["ok"] and result.get("not_listing") == post.not_listing
            continue
        right, scored = kinds_right(post, result)
        kind_right, kind_scored = kind_right + right, kind_scored + scored
        if len(post.listings) > 1:
            multi += 1
            multi_found += all_products_found(post, result)
    checked = sum(checked_fields(p) for p in posts)
    listings = sum(len(p.listings) for p in posts if p.not_listing is None)
    print(f"posts: {len(posts)} ({listings} listings, {multi} with several products, "
          f"{others} not listings)")  # fmt: skip
    for field, count in sorted(misses.items(), key=lambda kv: -kv[1]):
        print(f"  wrong {field:<12} {count}")
    print(f"field accuracy          {1 - wrong_total / checked:7.2%}  (target ≥ 98%)")
    print(f"posts entirely right    {right_posts / len(posts):7.2%}  (target ≥ 97%)")
    print(f"kind                    {kind_right / kind_scored:7.2%}  (target ≥ 98%)")
    print(f"multi-product all found {multi_found / max(multi, 1):7.2%}  (target ≥ 95%)")
    print(f"not listings refused    {refused / max(others, 1):7.2%}  (target 100%)")


if __name__ == "__main__":
    main()
