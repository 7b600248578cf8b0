"""Administrative-division lookup from the division list kg ships (kg/data/china_divisions.txt).

The list is the province, city and county part of jionlp's maintained location dictionary (Apache-2.0),
taken unchanged by tools/vendor.py so that kg does not install jionlp, which brings jiojio and numpy
(~240 MB) for this one 99 KB table. It has the PRC divisions with their 6-digit statistical codes,
including development zones such as 秦皇岛市经济技术开发区 130371, which the lighter packages that
follow the civil-affairs list lack. We index it once per process and match a place name
("西安市莲湖区", "秦皇岛经济技术开发区") province → city → county.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kg.exceptions import QueryError
from kg.model import Region
from kg.resources import DIVISIONS_FILE


@dataclass(frozen=True)
class _Division:
    province: str
    city: str | None
    county: str | None
    code: str
    names: tuple[str, ...]  # full name first, then aliases usable for matching


# Committees that govern a division: their region is the division's own (a zone's 工委/党工委 is decided apart).
TERRITORIAL_KINDS = frozenset({"区委", "县委", "市委", "州委", "旗委", "盟委", "省委", "自治区党委"})


def _tree(lines: Iterable[str]) -> dict[str, dict[str, Any]]:
    """province -> city -> county, each with _admin_code and _alias, read as jionlp's china_location_loader reads it.

    A line is a name, its code and its aliases (a city's separated by '/'), indented one tab per
    level; a line without those three fields is skipped and a later line of the same name replaces
    an earlier one, as in jionlp, so the codes are the ones jionlp gives.
    """
    tree: dict[str, dict[str, Any]] = {}
    province: str | None = None
    city: str | None = None
    for line in lines:
        if line.startswith("#") or line.startswith("\t\t\t"):
            continue
        fields = line.strip().split("\t")
        if len(fields) != 3:
            continue
        name, code, alias = fields
        if not line.startswith("\t"):
            province = name
            tree[province] = {"_full_name": name, "_alias": alias, "_admin_code": code}
        elif line.startswith("\t\t"):
            tree[province][city][name] = {"_full_name": name, "_alias": alias, "_admin_code": code}  # type: ignore[index]
        else:
            city = name
            tree[province][city] = {"_full_name": name, "_alias": alias.split("/"), "_admin_code": code}  # type: ignore[index]
    return tree


@lru_cache(maxsize=1)
def _divisions() -> tuple[list[_Division], list[_Division], list[_Division]]:
    """(provinces, cities, counties) from the shipped division list."""
    with DIVISIONS_FILE.open(encoding="utf-8") as lines:
        tree = _tree(lines)
    provinces: list[_Division] = []
    cities: list[_Division] = []
    counties: list[_Division] = []
    for p_name, p in tree.items():
        provinces.append(_Division(p_name, None, None, p["_admin_code"], _names(p_name, p.get("_alias"))))
        for c_name, c in p.items():
            if c_name.startswith("_"):
                continue
            city_names = _names(c_name, c.get("_alias"))
            cities.append(_Division(p_name, c_name, None, c["_admin_code"], city_names))
            for k_name, k in c.items():
                if k_name.startswith("_"):
                    continue
                names = list(_names(k_name, k.get("_alias")))
                for prefix in city_names:
                    if k_name.startswith(prefix) and len(k_name) - len(prefix) >= 3:
                        names.append(k_name[len(prefix):])  # 秦皇岛市经济技术开发区 -> 经济技术开发区
                counties.append(_Division(p_name, c_name, k_name, k["_admin_code"], tuple(names)))
    return provinces, cities, counties


def division_names() -> Iterator[tuple[str, ...]]:
    """Every division's names, its full name first then its aliases (秦皇岛市, 秦皇岛): what other
    stages need to recognise a place's name without looking it up."""
    for level in _divisions():
        for division in level:
            yield division.names


def _names(full: str, alias: str | list[str] | None) -> tuple[str, ...]:
    aliases = alias if isinstance(alias, list) else [alias] if alias else []
    return (full, *[a for a in aliases if a and len(a) >= 2 and a != full])


@dataclass(frozen=True)
class _Index:
    """Names -> divisions for one level, so a text is matched by its substrings, not by scanning 3,000 divisions."""

    names: dict[str, list[_Division]]
    longest: int

    @classmethod
    def of(cls, divisions: list[_Division]) -> _Index:
        names: dict[str, list[_Division]] = {}
        for division in divisions:
            for name in division.names:
                names.setdefault(name, []).append(division)
        return cls(names, max(map(len, names), default=0))

    def found(self, text: str) -> dict[_Division, int]:
        """Divisions named in text, each with the length of its longest name found."""
        hits: dict[_Division, int] = {}
        for i in range(len(text)):
            for length in range(2, min(self.longest, len(text) - i) + 1):
                for division in self.names.get(text[i:i + length], ()):
                    hits[division] = max(hits.get(division, 0), length)
        return hits


@lru_cache(maxsize=1)
def _indexes() -> tuple[_Index, _Index, _Index]:
    provinces, cities, counties = _divisions()
    return _Index.of(provinces), _Index.of(cities), _Index.of(counties)


def is_division_name(name: str) -> bool:
    """Whether the text is a division's full name or one of its aliases (长沙市, 长沙)."""
    return any(name in index.names for index in _indexes())


@lru_cache(maxsize=8192)
def lookup_region(*texts: str) -> tuple[Region, str | None]:
    """Resolve a place from name texts, most specific first; returns (region, warning)."""
    province_index, city_index, county_index = _indexes()
    for text in texts:
        if not text:
            continue
        province = _best(province_index.found(text))
        cities = {d: n for d, n in city_index.found(text).items() if province is None or d.province == province.province}
        counties = county_index.found(text)
        city = _best(cities)
        if city is not None:
            county = _best({k: n for k, n in counties.items() if k.city == city.city and k.province == city.province})
            if county is not None:
                return _region(county), None
            if not any(k.province == city.province and k.city != city.city for k in counties):
                return _region(city), None
        full = {k: n for k, n in counties.items() if k.county and n == len(k.county)
                and (province is None or k.province == province.province)}
        longest = max(full.values(), default=0)
        found = [k for k, n in full.items() if n == longest]  # 睢宁县, not 宁县
        if len(found) == 1:
            return _region(found[0]), None
        if len(found) > 1:
            cities_named = "/".join(sorted({k.city or "" for k in found}))
            return Region(), f"地名有歧义: {cities_named} 都有 {found[0].county} (ambiguous place)"
        if province is not None:
            return _region(province), None
    return Region(), None


def _best(hits: dict[_Division, int]) -> _Division | None:
    if not hits:
        return None
    return max(hits.items(), key=lambda item: item[1])[0]


def _region(division: _Division) -> Region:
    return Region(province=division.province, city=division.city, county=division.county, code=division.code)


def code_within(code: str | None, region: str) -> bool:
    """A division code lies within a region code: 370105 is within 370105, 370100 and 370000."""
    if not code:
        return False
    prefix = region.rstrip("0")
    if len(prefix) % 2:
        prefix += "0"
    return code.startswith(prefix)


def division_code(region: str) -> str:
    """A 6-digit division code; a province's or city's 2- or 4-digit prefix (37, 3701) is padded."""
    code = region.strip()
    if re.fullmatch(r"\d{2}|\d{4}", code):
        code = code.ljust(6, "0")
    if not re.fullmatch(r"\d{6}", code):
        raise QueryError(f"地区代码须为 6 位数字 (a region is a 6-digit division code, or its first 2 or 4 digits: {region!r})")
    return code
