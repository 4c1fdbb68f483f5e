"""How well ``farmdock match`` answers a generated market whose answers are known.

Prints precision (returned pairs that are eligible), best-first (needs whose rank-1
offer is the known best) and recall@5 (of the known five best offers per need, the
share returned), plus how many lines the parser could not use. A pair whose units do
not meet (basis ``other_unit``) is proposed on purpose, after every pair whose units
do, so the known answers count it as eligible; how often the returned basis is the
known one is printed too, with the pairs returned per basis.

    .venv/bin/python -m benchmarks.match_quality [--offers 3000 --needs 3000 --seed 1]
        [--style plain|group]

``--style group`` writes the market as growers and buyers write in groups (see
:mod:`benchmarks.market`); lines that are no listing (questions, thanks) count as unusable.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from benchmarks.market import Answers, Market, answers, generate
from bot.cli import main as farmdock

TOP_K = 5


@dataclass(frozen=True, slots=True)
class Quality:
    pairs: int
    precision: float
    basis_agreement: float  # returned pairs whose basis is the known one
    by_basis: dict[str, int]  # returned pairs per basis
    best_first: float
    recall_at_5: float
    unusable_lines: int
    needs_with_answers: int


def run_match(market: Market, top_k: int = TOP_K) -> tuple[list[dict], list[dict]]:
    """``farmdock match`` on the market's file: its stdout and stderr rows."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "market.jsonl"
        market.write(path)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = farmdock(["match", "--listings", str(path), "--top", str(top_k)])
    if code != 0:
        raise RuntimeError(f"farmdock match exited {code}: {err.getvalue()[-500:]}")
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    problems = [json.loads(line) for line in err.getvalue().splitlines()]
    return rows, problems


def measure(rows: list[dict], problems: list[dict], known: Answers) -> Quality:
    """Score the returned rows against the known answers."""
    returned: dict[str, list[str]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["need"], r["rank"])):
        returned[row["need"]].append(row["offer"])
    correct = sum(1 for r in rows if r["offer"] in known.eligible.get(r["need"], set()))
    agreed = sum(1 for r in rows if known.basis.get((r["need"], r["offer"])) == r["basis"])
    with_answers = [need for need, ranked in known.ranked.items() if ranked]
    best = sum(1 for n in with_answers if returned[n][:1] == known.ranked[n][:1])
    wanted = sum(min(TOP_K, len(known.ranked[n])) for n in with_answers)
    found = sum(len(set(returned[n][:TOP_K]) & set(known.ranked[n][:TOP_K])) for n in with_answers)
    return Quality(
        pairs=len(rows),
        precision=correct / len(rows) if rows else 1.0,
        basis_agreement=agreed / len(rows) if rows else 1.0,
        by_basis=dict(Counter(r["basis"] for r in rows)),
        best_first=best / len(with_answers) if with_answers else 1.0,
        recall_at_5=found / wanted if wanted else 1.0,
        unusable_lines=len(problems),
        needs_with_answers=len(with_answers),
    )


def evaluate(offers: int, needs: int, seed: int, style: str = "plain") -> Quality:
    market = generate(offers, needs, seed, style=style)
    rows, problems = run_match(market)
    return measure(rows, problems, answers(market.facts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=3000)
    parser.add_argument("--needs", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--style", choices=("plain", "group"), default="plain")
    args = parser.parse_args(argv)
    q = evaluate(args.offers, args.needs, args.seed, args.style)
    print(f"market: {args.offers} offers, {args.needs} needs, seed {args.seed}, "
          f"{args.style} style")
    print(f"lines the parser could not use: {q.unusable_lines}")
    print(f"pairs returned:  {q.pairs}")
    print(f"precision:       {q.precision:.2%}  (target ≥ 99.5%)")
    print(f"basis as known:  {q.basis_agreement:.2%}")
    print("pairs per basis: " + ", ".join(f"{b} {n}" for b, n in sorted(q.by_basis.items())))
    print(f"best first:      {q.best_first:.2%}  (target ≥ 97%, {q.needs_with_answers} needs)")
    print(f"recall@5:        {q.recall_at_5:.2%}  (target ≥ 98%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
