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
DATE_RE = re.compile(
    rf"(?:(?P<y>(?:19|20)\d{{2}}|[〇零一二][〇零一二三四五六七八九]{{3}})\s*年\s*)?"
    rf"(?P<m>{_NUM}{{1,2}})\s*月\s*(?P<d>{_NUM}{{1,3}})\s*[日号]"
)
ISO_RE = re.compile(r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")


@dataclass(frozen=True)
class DateMention:
    date: dt.date
    start: int
    end: int
    year_written: bool


def find_dates(text: str, *, base_year: int | None = None) -> list[DateMention]:
    """All dates in text, in order, with omitted years inferred from the ones before."""
    out: list[DateMention] = []
    year = base_year
    previous: dt.date | None = None
    for match in DATE_RE.finditer(text):
        month, day = to_int(match.group("m")), to_int(match.group("d"))
        written = match.group("y")
        if written:
            year = _year(written)
        if year is None or month is None or day is None:
            continue
        if not written and previous is not None and (month, day) < (previous.month, previous.day):
            year = previous.year + 1
        try:
            value = dt.date(year, month, day)
        except ValueError:
            continue
        out.append(DateMention(value, match.start(), match.end(), bool(written)))
        previous = value
    return out


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
