"""Time ``farmdock match`` end to end against a naive fuzzy baseline, and the index's latency.

One run, on generated markets (:mod:`benchmarks.market`) of 5,000, 20,000 and 80,000
offers and as many needs:

* farmdock: the real command in a fresh process (start-up, parse every post, match,
  print), wall-clock.
* naive: for every need, rapidfuzz ``WRatio`` of its product word (as written, taken
  from the generator, so the baseline parses nothing) against every offer's product
  word, keeping the best five. All pairs take minutes from 5,000 on, so it runs on
  a sample of needs for a few seconds and the full time is extrapolated per need;
  the table says so.
* index: 100,000 open listings in a :class:`~bot.matching.index.MatchIndex`; each
  of 1,000 new listings is added and matched; p50/p95/max per listing.

    .venv/bin/python -m benchmarks.bench_match [--sizes 5000 20000 80000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz, process

from benchmarks.market import PRODUCTS, Market, generate
from bot.cli.match import read_listings
from bot.matching.index import MatchIndex
from bot.matching.model import Listing

TOP_K = 5
NAIVE_SECONDS = 5.0  # time spent measuring the baseline per size
INDEX_SIZE = 100_000
INDEX_PROBES = 1_000


def time_farmdock(path: Path) -> float:
    """Wall-clock of ``farmdock match`` on a file, output discarded."""
    command = [sys.executable, "-m", "bot.cli", "match", "--listings", str(path)]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def time_naive(market: Market) -> tuple[float, int]:
    """Extrapolated seconds for every need against every offer, and the needs measured."""
    names = {p.key: p.names for p in PRODUCTS}
    # The word each post used is the one in its text; the generator knows which.
    words = [
        next(n for n in names[f.product] if n in post["text"])
        for f, post in zip(market.facts, market.posts, strict=True)
    ]
    offer_words = [w for w, f in zip(words, market.facts, strict=True) if f.kind == "offer"]
    need_words = [w for w, f in zip(words, market.facts, strict=True) if f.kind == "need"]
    started = time.perf_counter()
    measured = 0
    for word in need_words:
        process.extract(word, offer_words, scorer=fuzz.WRatio, limit=TOP_K)
        measured += 1
        if time.perf_counter() - started > NAIVE_SECONDS:
            break
    per_need = (time.perf_counter() - started) / measured
    return per_need * len(need_words), measured


def index_latency(listings: list[Listing]) -> list[float]:
    """Milliseconds to add and match each probe listing into an index of the others."""
    index = MatchIndex()
    index.rebuild(listings[:INDEX_SIZE])
    now = time.time()
    latencies = []
    for listing in listings[INDEX_SIZE : INDEX_SIZE + INDEX_PROBES]:
        started = time.perf_counter()
        index.add(listing)
        index.matches_for(listing, TOP_K, now)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 80000])
    args = parser.parse_args(argv)
    print(f"cores available: {len(os.sched_getaffinity(0))}; listings per side as below")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "market.jsonl"
        path.write_text("")
        print(f"farmdock match start-up alone (empty file): {time_farmdock(path):.2f} s")
        header = ("per side", 9), ("farmdock s", 11), ("per 1k/side", 12), ("naive s", 10)
        print(" ".join(f"{name:>{width}}" for name, width in header), f"{'ratio':>7}")
        for size in sorted(args.sizes):
            market = generate(size, size, seed=size)
            market.write(path)
            ours = time_farmdock(path)
            naive, measured = time_naive(market)
            note = "" if measured == size else f"  (naive extrapolated from {measured} needs)"
            print(
                f"{size:>9} {ours:>11.2f} {ours / size * 1000:>12.3f} {naive:>10.1f}"
                f" {naive / ours:>6.0f}×{note}"
            )
        # The largest market, parsed once more, fills the index.
        listings, _, _ = read_listings(path, workers=2)
    if len(listings) < INDEX_SIZE + INDEX_PROBES:
        print(f"index: skipped, the largest market has only {len(listings)} usable listings")
        return 0
    latencies = index_latency(listings)
    q = statistics.quantiles(latencies, n=100)
    print(
        f"index of {INDEX_SIZE} open listings, {INDEX_PROBES} new ones added and matched:"
        f" p50 {q[49]:.2f} ms, p95 {q[94]:.2f} ms, max {max(latencies):.2f} ms"
        " (target p95 ≤ 5 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
