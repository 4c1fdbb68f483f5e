"""``farmdock parse`` on 10,000 hostile lines: exactly one JSON line each, no traceback."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable

COUNT = 10_000
SEED = 20220502
POSTS = ("出售大白菜5000斤，0.8元/斤，宝丰县张八桥镇", "求购土豆2吨 1元/斤以内 新华区",
         "有鸡蛋300箱，每箱360枚，电话1383751 2345")
CONTROLS = "\x00\x01\x02\x07\x08\t\x0b\x0c\r\x1b\x1f\x7f\x85\u200b\u202e\u2066\ufeff"


def hostile_lines(seed: int = SEED, count: int = COUNT) -> list[bytes]:
    """Lines as a fuzzer, a careless user or a hostile one would send them: any code point
    (lone surrogates become bytes that are not UTF-8), control characters, 9,000-character
    lines, 400-digit numbers, 1e309, NaN, negative numbers. Never a newline inside a line."""
    rng = random.Random(seed)

    def any_character() -> str:
        while (ch := chr(rng.randrange(0x110000))) == "\n":
            pass
        return ch

    def noisy(length: int) -> str:
        pickers: list[Callable[[], str]] = [
            any_character,
            lambda: chr(rng.randrange(0x4E00, 0xA000)),
            lambda: rng.choice(CONTROLS),
            lambda: rng.choice("0123456789.-e元斤吨箱/九万"),
        ]
        return "".join(rng.choice(pickers)() for _ in range(length))

    makers: list[tuple[int, Callable[[], str]]] = [
        (30, lambda: noisy(rng.randrange(1, 300))),
        (15, lambda: "".join(any_character() for _ in range(rng.randrange(1, 80)))),
        (15, lambda: rng.choice(POSTS) + noisy(rng.randrange(0, 30))),
        (8, lambda: "出售土豆" + "9" * 400 + rng.choice(["斤", "元", "斤 1元/斤", "吨装每箱"])),
        (8, lambda: rng.choice(["出售土豆1e309斤", "价格1e309 出售大白菜5吨", "1E308吨 面粉",
                                "1e-400斤 出售鸡蛋", "每箱1e309枚 鸡蛋100箱"])),
        (8, lambda: rng.choice(["出售土豆NaN斤", "nan元/斤 出售大白菜5吨", "inf吨 土豆",
                                "出售 -inf 斤 白菜", "Infinity箱 鸡蛋"])),
        (8, lambda: rng.choice(["出售土豆 -5斤", "-5斤", "出售大白菜5000斤，-0.8元/斤",
                                "负三吨 土豆", "土豆 -1e309斤", "−5吨 小麦"])),
        (3, lambda: rng.choice(["好", "9", "出售大白菜5000斤", "\x02"]) * 9000),
        (3, lambda: "九" * rng.randrange(500, 1000) + rng.choice(["", "斤", "元", "天内"])),
        (2, lambda: rng.choice(POSTS) + CONTROLS + "\ud800\udfff" + rng.choice(POSTS)),
    ]
    weights = [w for w, _ in makers]
    lines = []
    for _ in range(count):
        [(_, make)] = rng.choices(makers, weights)
        text = make().encode("utf-8", "surrogatepass")
        lines.append(text + rng.choice([b"", b"", b"\xff\xfe", b"\r"]))
    assert not any(b"\n" in line for line in lines)
    return lines


def test_farmdock_parse_answers_every_hostile_line_once_without_a_traceback() -> None:
    lines = hostile_lines()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FARMDOCK_")}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "parse"], input=b"\n".join(lines) + b"\n",
        capture_output=True, env=environ, timeout=300, check=False,
    )
    assert done.returncode == 0
    assert done.stderr == b""
    out = done.stdout.split(b"\n")
    assert out[-1] == b"" and len(out) - 1 == COUNT
    for line in out[:-1]:
        result = json.loads(line.decode("utf-8"))
        assert result["ok"] is (not result["errors"]) or result["errors"]
        for key in ("quantity", "price"):
            assert result[key] is None or isinstance(result[key], int | float)
