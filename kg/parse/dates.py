"""Date grammar of the reports: full dates, omitted years, and ranges.

Reports write "2023年4月17日至6月28日…于10月11日进行了反馈": a date without a year takes
the year of the date before it, moved on by one when the month/day goes backwards
(a range "2023年11月6日至1月12日" ends in 2024).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kg.parse.numerals import to_int

_NUM = r"[0-9〇零一二三四五六七八九十两]"
_YEAR = r"(?:19|20)\d{2}|[〇零一二][〇零一二三四五六七八九]{3}"
DATE_RE = re.compile(
    rf"(?:(?P<y>{_YEAR})\s*年\s*|(?P<y2>(?:19|20)\d{{2}})(?=\d{{1,2}}\s*月))?"  # 20247月17日: 年 lost
    rf"(?P<m>{_NUM}{{1,2}})\s*月\s*(?P<d>{_NUM}{{1,3}})\s*[日号]"
)
# Scraped forms: 年 and 月 lost (2024717日, 830日), or a dotted date (2023.3.29).
_LOOSE_RE = re.compile(
    r"(?<![\d.])(?:(?P<ly>(?:19|20)\d{2})\s*年?\s*)?(?P<md>\d{3,4})\s*日"
    r"|(?<![\d.])(?P<dy>(?:19|20)\d{2})[./](?P<dm>\d{1,2})[./](?P<dd>\d{1,2})(?![\d.])"
)
# A range's end written as a day only (2023年10月9日至27日, …至同月27日): the month of the date before it.
_DAY_ONLY_END_RE = re.compile(r"(?<=[日号])\s*(?:至|到|—|-|~|–)\s*(?P<same>同月|当月|本月)?\s*(?<!\d)(?P<od>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号]")
_MONTH_RANGE_RE = re.compile(
    rf"(?:(?P<y1>{_YEAR})\s*年\s*)?(?P<m1>{_NUM}{{1,2}})\s*月份?\s*(?:至|到|—|-|~|–)\s*"
    rf"(?:(?P<y2>{_YEAR})\s*年\s*)?(?P<m2>{_NUM}{{1,2}})\s*月份?(?!\s*{_NUM}{{1,3}}\s*[日号])"
)
ISO_RE = re.compile(r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")


@dataclass(frozen=True)
class DateMention:
    date: dt.date
    start: int
    end: int
    year_written: bool


def find_dates(text: str, *, base_year: int | None = None, scraped: bool = False) -> list[DateMention]:
    """All dates in text, in order, with omitted years inferred from the ones before.

    ``scraped`` also reads the forms a careless scrape leaves (2024717日, 830日: 年/月 lost;
    2023.3.29); they are ambiguous in running text, so callers ask for them only as a fallback."""
    out: list[DateMention] = []
    year = base_year
    previous: dt.date | None = None
    for match in _date_matches(text, scraped):
        groups = match.groupdict()
        written = groups.get("y") or groups.get("y2") or groups.get("ly") or groups.get("dy")
        if written:
            year = _year(written)
        if year is None:
            continue
        value = _date_of(groups, year, previous, bool(written))
        if value is None:
            continue
        start = match.start("same" if groups.get("same") else "od") if groups.get("od") else match.start()  # 至 stays out
        out.append(DateMention(value, start, match.end(), bool(written)))
        previous = value
        year = value.year
    return out


def _date_matches(text: str, scraped: bool) -> list[re.Match[str]]:
    """Regular date matches, plus (scraped) the loose forms that do not overlap them, in order."""
    matches = list(DATE_RE.finditer(text))
    if matches:
        matches = sorted(matches + list(_DAY_ONLY_END_RE.finditer(text)), key=lambda m: m.start())
    if not scraped:
        return matches
    taken = [(m.start(), m.end()) for m in matches]
    for loose in _LOOSE_RE.finditer(text):
        if not any(s < loose.end() and loose.start() < e for s, e in taken):
            matches.append(loose)
    return sorted(matches, key=lambda m: m.start())


def _date_of(groups: dict[str, str | None], year: int, previous: dt.date | None, written: bool) -> dt.date | None:
    """The date a match names, moving an unwritten year on when the month/day goes backwards."""
    if od := groups.get("od"):  # a day after a range's start: later in the same month, or nothing
        day = to_int(od)
        if previous is None or day is None or day <= previous.day:
            return None
        try:
            return previous.replace(day=day)
        except ValueError:
            return None
    if md := groups.get("md"):
        candidates = _month_days(md)
    elif (dm := groups.get("dm")) and (dd := groups.get("dd")) is not None:
        candidates = [(int(dm), int(dd))]
    else:
        month, day = to_int(groups["m"]), to_int(groups["d"])
        candidates = [(month, day)] if month is not None and day is not None else []
    best: dt.date | None = None
    for month, day in candidates:
        value_year = year
        if not written and previous is not None and (month, day) < (previous.month, previous.day):
            value_year = previous.year + 1
        try:
            value = dt.date(value_year, month, day)
        except ValueError:
            continue
        if best is None or (previous is not None and best < previous <= value):
            best = value
    return best


def _month_days(digits: str) -> list[tuple[int, int]]:
    """817 -> (8, 17) or (81, 7); 1015 -> (10, 15): the readings of a date whose 月 was lost."""
    if len(digits) == 4:
        return [(int(digits[:2]), int(digits[2:]))]
    return [(int(digits[0]), int(digits[1:])), (int(digits[:2]), int(digits[2]))]


def find_month_range(text: str, base_year: int | None = None) -> tuple[dt.date, dt.date] | None:
    """A period written to the month only (2023年4月至6月): its first and last day."""
    for match in _MONTH_RANGE_RE.finditer(text):
        year = _year(match.group("y1")) if match.group("y1") else base_year
        m1, m2 = to_int(match.group("m1")), to_int(match.group("m2"))
        if year is None or m1 is None or m2 is None or not (1 <= m1 <= 12 and 1 <= m2 <= 12):
            continue
        end_year = _year(match.group("y2")) if match.group("y2") else year + (m2 < m1)
        if end_year is None:
            continue
        last = (dt.date(end_year + m2 // 12, m2 % 12 + 1, 1) - dt.timedelta(days=1))
        return dt.date(year, m1, 1), last
    return None


def _year(text: str) -> int | None:
    if text.isascii() and text.isdigit():
        return int(text)
    digits = "".join(str("〇一二三四五六七八九".index(ch)) if ch in "〇一二三四五六七八九" else
                     ("0" if ch == "零" else "") for ch in text)
    return int(digits) if len(digits) == 4 else None


def parse_date_text(text: str) -> dt.date | None:
    """The first date in a short text such as "2021-07-28 09:13:53" or "2022年5月6日"."""
    iso = ISO_RE.search(text)
    if iso:
        try:
            return dt.date(int(iso["y"]), int(iso["m"]), int(iso["d"]))
        except ValueError:
            return None
    found = find_dates(text)
    return found[0].date if found and found[0].year_written else None
