"""Administrative-division lookup from jionlp's maintained location dictionary.

jionlp ships the PRC divisions with their 6-digit codes (including development zones
such as 秦皇岛市经济技术开发区 130371). We index it once per process and match a place
name ("西安市莲湖区", "秦皇岛经济技术开发区") province → city → county.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from functools import lru_cache

from kg.model import Region


@dataclass(frozen=True)
class _Division:
    province: str
    city: str | None
    county: str | None
    code: str
    names: tuple[str, ...]  # full name first, then aliases usable for matching


@lru_cache(maxsize=1)
def _divisions() -> tuple[list[_Division], list[_Division], list[_Division]]:
    """(provinces, cities, counties) from jionlp; jionlp prints a banner on import, kept quiet."""
    with contextlib.redirect_stdout(io.StringIO()):
        from jionlp.dictionary.dictionary_loader import china_location_loader

        tree = china_location_loader(detail=False)
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


def _names(full: str, alias: str | list[str] | None) -> tuple[str, ...]:
    aliases = alias if isinstance(alias, list) else [alias] if alias else []
    return (full, *[a for a in aliases if a and len(a) >= 2 and a != full])


def _matches(division: _Division, text: str) -> int:
    """Length of the longest name of the division found in text (0 when none)."""
    return max((len(n) for n in division.names if n in text), default=0)


def lookup_region(*texts: str) -> tuple[Region, str | None]:
    """Resolve a place from name texts, most specific first; returns (region, warning)."""
    provinces, cities, counties = _divisions()
    for text in texts:
        if not text:
            continue
        province = _best(provinces, text)
        city_pool = [c for c in cities if province is None or c.province == province.province]
        city = _best(city_pool, text)
        if city is not None:
            county = _best([k for k in counties if k.city == city.city and k.province == city.province], text)
            if county is not None:
                return _region(county), None
            if _best([k for k in counties if k.province == city.province and k.city != city.city], text) is None:
                return _region(city), None
        county_pool = [k for k in counties if province is None or k.province == province.province]
        found = [k for k in county_pool if k.county and k.county in text]
        longest = max((len(k.county or "") for k in found), default=0)
        found = [k for k in found if len(k.county or "") == longest]  # 睢宁县, not 宁县
        if len(found) == 1:
            return _region(found[0]), None
        if len(found) > 1:
            return Region(), f"地名有歧义: {'/'.join(sorted({k.city or '' for k in found}))} 都有 {found[0].county} (ambiguous place)"
        if province is not None:
            return _region(province), None
    return Region(), None


def _best(pool: list[_Division], text: str) -> _Division | None:
    scored = [(score, d) for d in pool if (score := _matches(d, text))]
    if not scored:
        return None
    scored.sort(key=lambda item: -item[0])
    return scored[0][1]


def _region(division: _Division) -> Region:
    return Region(province=division.province, city=division.city, county=division.county, code=division.code)
