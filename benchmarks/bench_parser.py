"""Posts parsed per second on one core: farmdock's parser against a naive baseline.

Both run in the same process on the same posts (the table in tests/matching/posts.txt),
pinned to one CPU where the OS allows it.

* farmdock: :func:`bot.matching.parser.parse_post` — one Aho-Corasick pass each for
  places and products, a handful of precompiled patterns.
* naive: what one writes first — a loop over every catalogue and place name
  (``name in text``, longest wins) and a loop of one regex per unit for quantity
  and price.

    .venv/bin/python -m benchmarks.bench_parser [--seconds 3]
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Callable
from datetime import date

from bot.matching.catalogue import get_catalogue
from bot.matching.parser import parse_post
from bot.matching.regions import get_gazetteer
from bot.matching.units import COUNT_UNITS, KG_PER_UNIT
from tests.matching.post_table import REFERENCE_DAY, load_posts

TARGET = 20_000  # posts per second


class NaiveParser:
    """Product, place, quantity and price by looping over every name and unit."""

    def __init__(self) -> None:
        catalogue, gazetteer = get_catalogue(), get_gazetteer()
        self.products = [(name, entry.product.name) for name, entry in catalogue.names.items()]
        self.places: list[str] = []
        for county in gazetteer.county_names():
            self.places.append(county)
            for town in gazetteer.townships(county):
                self.places.extend((town, town[:-1] if town[-1] in "乡镇" else town[:-2]))
        units = [*KG_PER_UNIT, *COUNT_UNITS]
        self.quantity = [(re.compile(rf"(\d+(?:\.\d+)?)\s*{re.escape(u)}"), u) for u in units]
        self.price = [(re.compile(rf"(\d+(?:\.\d+)?)\s*元\s*/\s*{re.escape(u)}"), u) for u in units]

    def parse(self, text: str, today: date | None = None) -> dict[str, object]:
        product = max(
            ((name, canonical) for name, canonical in self.products if name in text),
            key=lambda hit: len(hit[0]),
            default=(None, None),
        )[1]
        place = max((p for p in self.places if p in text), key=len, default=None)
        price = next(((m.group(1), u) for rx, u in self.price if (m := rx.search(text))), None)
        quantity = next(
            ((m.group(1), u) for rx, u in self.quantity if (m := rx.search(text))), None
        )
        return {"product": product, "place": place, "quantity": quantity, "price": price}


def throughput(parse: Callable[[str, date], object], posts: list[str], seconds: float) -> float:
    """Posts per second, best of three timed rounds of about ``seconds`` / 3 each."""
    for post in posts:  # warm caches and lazy loads outside the clock
        parse(post, REFERENCE_DAY)
    best = 0.0
    for _ in range(3):
        done, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds / 3:
            for post in posts:
                parse(post, REFERENCE_DAY)
            done += len(posts)
        best = max(best, done / elapsed)
    return best


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--seconds", type=float, default=3.0, help="time per parser")
    seconds = args.parse_args().seconds
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    posts = [p.text for p in load_posts()]
    fast = throughput(parse_post, posts, seconds)
    naive = throughput(NaiveParser().parse, posts, seconds)
    print(f"posts: {len(posts)} distinct, one core")
    print(f"farmdock parser : {fast:>10,.0f} posts/s   (target {TARGET:,})")
    print(f"naive baseline  : {naive:>10,.0f} posts/s")
    print(f"ratio           : {fast / naive:>10.1f}x")


if __name__ == "__main__":
    main()
