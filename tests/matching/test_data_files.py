"""The shipped data files: each loads, each is accounted for, and their words are the ones
the parser and the text normaliser use."""

from __future__ import annotations

from collections import Counter
from importlib import resources

import pytest

from bot.matching.datafiles import load_data
from bot.matching.parser import KindWords, parse_post
from bot.matching.text import normalize

DATA = resources.files("bot.matching").joinpath("data")
DATA_FILES = sorted(f.name for f in DATA.iterdir() if f.name.endswith(".json"))
WORDS = load_data("parser_words.json")
FOLDS = load_data("folds.json")


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_data_file_loads_and_says_where_it_comes_from(name: str) -> None:
    assert isinstance(load_data(name), dict) and load_data(name)
    assert f"## {name}" in DATA.joinpath("SOURCES.md").read_text("utf-8")


@pytest.mark.parametrize("name", ["parser_words.json", "folds.json"])
def test_every_section_is_described(name: str) -> None:
    data = load_data(name)
    assert set(data["_about"]) == {"file"} | (set(data) - {"_about"})
    assert all(note.strip() for note in data["_about"].values())


def test_the_parser_word_lists_are_sound() -> None:
    for section, value in WORDS.items():
        if section == "_about":
            continue
        lists = value.values() if isinstance(value, dict) else [value]
        if section in ("lead_kind", "weak_kind", "validity_days_ahead", "typos"):
            lists = [list(value)]
        for words in lists:
            assert words and all(isinstance(w, str) and w.strip() == w != "" for w in words)
            assert len(set(words)) == len(words), section
    assert set(WORDS["lead_kind"].values()) | set(WORDS["weak_kind"].values()) <= {
        "offer", "need"
    }
    for section in ("bounds_after", "bounds_before"):
        assert list(WORDS[section]) == ["max", "min", "approx"]
    # A word is of one kind only.
    kinds = Counter([*WORDS["offer"], *WORDS["need"], *WORDS["neutral"]])
    assert [w for w, n in kinds.items() if n > 1] == []


@pytest.mark.parametrize("kind", ["offer", "need"])
def test_every_kind_word_of_the_data_file_gives_the_post_its_kind(kind: str) -> None:
    wrong = [w for w in WORDS[kind] if parse_post(f"大白菜5000斤，{w}").kind != kind]
    assert wrong == []


def test_neutral_words_give_no_kind() -> None:
    # No word read: the post is an offer only because it states a quantity.
    wrong = [
        w for w in WORDS["neutral"] if parse_post(f"大白菜5000斤，{w}").kind_source != "default"
    ]
    assert wrong == []


def test_a_kind_word_added_to_the_lists_is_read() -> None:
    arrived, taken_out = "大白菜5000斤，新到", "大白菜5000斤，拿出来"
    assert parse_post(arrived).kind_source == "default"
    assert parse_post(taken_out).kind_source == "text"  # 出, a weak hint
    edited = KindWords({
        **WORDS, "offer": [*WORDS["offer"], "新到"], "neutral": [*WORDS["neutral"], "出来"],
    })
    assert edited.kind(normalize(arrived)) == "offer"
    assert edited.kind(normalize(taken_out)) is None


def test_every_fold_of_the_data_file_is_applied() -> None:
    for table in ("simplified", "financial_numerals"):
        for old, new in FOLDS[table].items():
            assert len(old) == len(new) == 1 and old != new
            assert normalize(f"白菜{old}土豆") == f"白菜{new}土豆"
    for mark in FOLDS["to_space"]:
        assert normalize(f"白菜{mark}土豆") == "白菜 土豆"
    for dash in FOLDS["to_hyphen"]:
        assert normalize(f"5{dash}3") == "5-3"
    draft = parse_post("出售蘿蔔貳噸")
    assert (draft.product, draft.quantity, draft.unit) == ("白萝卜", 2000, "kg")
