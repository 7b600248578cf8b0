"""Who and when: the closing block, the committee, the inspection, contact details,
and the organisations a measure names as actors."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left

from kg.model import Body, Committee, Contact, Inspection, Region, Span
from kg.parse.dates import DATE_RE, DateMention, find_dates, find_month_range
from kg.parse.numerals import to_int
from kg.parse.region import is_division_name, lookup_region

_CN = "一二三四五六七八九十"
# the date under a signature; a month without its day (2023年12月) still closes the report, and dates nothing
DATE_LINE_RE = re.compile(r"^\s*((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年\s*\S{1,3}\s*月(?:\s*\S{1,3}\s*日)?\s*$")
_SIGNATURE_RE = re.compile(r"(委员会|区委|县委|市委|州委|旗委|省委|党委|党组|党工委|工委|党总支|总支部委员会|支部委员会|集团|公司)$")
_CLOSING_RE = re.compile(r"欢迎.{0,12}(监督|批评)|请及时向我们反映|联系方式|联系电话|举报电话|邮政信箱|电子邮箱|电子信箱|"
                         r"邮编|邮政编码|通讯地址|通信地址|来信地址|征求意见时间")
_BY = "中央|省委|自治区党委|区党委|市委|州委|盟委|区委|县委|旗委|工委|党委|党组"  # 区党委: 自治区党委 for short
_KIND_OF_GROUP = "(?:机动|专项|联动|交叉|提级|专责)?"  # 市委第一机动巡察组, 市委机动巡察一组
# Groups as written: 省委第九巡视组, 市委巡视六组 (number after the kind), 区委营商环境专项巡察组 (named by its
# topic), 省委巡视组 (no number). Tried in this order: a numbered group is the better reading.
_GROUP_RES = (
    re.compile(rf"(?P<group>(?P<by>{_BY})? ?第 ?(?P<n>[{_CN}\d]+) ?{_KIND_OF_GROUP}(?P<kind>巡视|巡察) ?组)"),  # stray space kept
    re.compile(rf"(?P<group>(?P<by>{_BY})?{_KIND_OF_GROUP}(?P<kind>巡视|巡察)第?(?P<n>[{_CN}\d]+)组)"),
    re.compile(rf"(?P<group>(?P<by>{_BY})(?:[^\s第轮巡办,。;:、“”()]{{0,12}}?)(?P<kind>巡视|巡察)组)"),
)
_ROUND_RE = re.compile(rf"((?:[二三]?十[{_CN[:9]}]?|[{_CN}])届)?(中央|省委|自治区党委|市委|州委|区委|县委|旗委|党委)?第([{_CN}\d]+)轮")
_BY_RE = re.compile(rf"根据(?:[{_CN}]+届)?(党中央|{_BY})(?:第[{_CN}\d]+轮(?:巡视|巡察)?(?:工作)?)?(?:的)?(?:统一|工作)?部署")
_RANGE_SEP_RE = re.compile(r"^\s*(?:起\s*)?(至|到|—+|-|~|–|－)\s*$")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE_RE = re.compile(r"(?<!\d)(?:(0\d{2,3})\s*[-—–]?\s*)?(\d{7,8})(?!\d)")
_POSTCODE_RE = re.compile(r"(?:邮编|邮政编码)\s*:?\s*(\d{6})(?!\d)")
_ADDRESS_RE = re.compile(r"(?:邮政信箱|通讯地址|通信地址|来信地址|地址)\s*:?\s*([^;,。]+?)(?=[;,。]|邮编|邮政编码|电子|$)")
_TITLE_COMMITTEE_RE = re.compile(r"^(.{2,40}?(?:委员会|区委|县委|市委|州委|旗委|盟委|省委|党委|党组|党工委|工委|党总支|党支部|"
                                 r"部务会))\s?关于")


def find_closing(text: str) -> int:
    """Offset where the closing block (contact, signature, date) begins; len(text) if none."""
    lines = text.split("\n")
    offsets = _line_offsets(lines)
    start = len(text)
    for i in range(len(lines) - 1, max(-1, len(lines) - 8), -1):
        line = lines[i]
        if DATE_LINE_RE.match(line) or (len(line) <= 40 and _SIGNATURE_RE.search(line)) \
                or (len(line) <= 300 and _CLOSING_RE.search(line)):
            start = offsets[i]
        else:
            break
    return start


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    return offsets


_SEAL_RE = re.compile(r"\s*[(【\[]?\s*(?:盖章|印章|签章)\s*[)】\]]?\s*")
_PARTY_SIGNER_RE = re.compile(r"(?:委员会|委|党组|党总支)$")
MAX_SIGNATURE = 40


def _signer(line: str) -> Span | None:
    """The signing body in the line above the date: the whole line, or in a joint signature (中共X公司委员会  X公司,
    the names apart by a gap) the Party organisation's name."""
    names = [(m.start(), m.end()) for m in re.finditer(r"\S+(?: \S+)*", line)]  # a gap of two spaces parts names
    if len(names) > 1:
        party = [n for n in names if _PARTY_SIGNER_RE.search(line[n[0]:n[1]]) and n[1] - n[0] <= MAX_SIGNATURE]
        if party:
            return party[0]
    return (0, len(line)) if len(line) <= MAX_SIGNATURE and _SIGNATURE_RE.search(line) else None


SIGNATURE_LOOKBACK = 10  # last lines searched for the date under the signature (footnotes, a page's credits after it)


def signature(text: str) -> tuple[Span | None, DateMention | None]:
    """The signing committee line and the date line under it, from the end of the text."""
    lines = text.split("\n")
    offsets = _line_offsets(lines)
    date: DateMention | None = None
    for i in range(len(lines) - 1, max(-1, len(lines) - SIGNATURE_LOOKBACK), -1):
        if DATE_LINE_RE.match(lines[i]):
            found = find_dates(lines[i])
            if found:
                d = found[0]
                date = DateMention(d.date, offsets[i] + d.start, offsets[i] + d.end, True)
            j = i - 1
            while j > 0 and _SEAL_RE.fullmatch(lines[j]):  # (盖章) between the name and its date
                j -= 1
            signer = _signer(lines[j]) if j >= 0 else None
            return ((offsets[j] + signer[0], offsets[j] + signer[1]) if signer else None), date
    return None, date


def committee_from(text: str, signed: Span | None, title: Span | None, intro: str,
                   hints: tuple[str, ...] = ()) -> tuple[Committee, list[str]]:
    """The inspected committee: as signed, else as named in the title, else as the introduction names
    the inspected unit (a text cut short has no signature). ``hints`` (the page's 来源, site name…)
    place a committee whose name is relative (市卫健委党委)."""
    warnings: list[str] = []
    committee = Committee()
    if signed:
        committee.name, committee.span = text[signed[0]:signed[1]], signed
    elif title:
        match = _TITLE_COMMITTEE_RE.match(text[title[0]:title[1]])
        if match:
            committee.name, committee.span = match.group(1), (title[0], title[0] + match.end(1))
    if committee.name is None:
        committee.name = committee_from_intro(intro)
        if committee.name is None and (addressed := _addressed_committee(text)):
            committee.name, committee.span = addressed.group(1), addressed.span(1)
            warnings.append("无落款, 党组织取自通讯地址 (no signature: committee named in the mailing address)")
        elif committee.name is None:
            warnings.append("未找到落款党组织 (no signing committee found)")
            region, warning = lookup_region(_inspected_place(intro))
            committee.region = region
            if warning:
                warnings.append(warning)
            return committee, warnings
        elif committee.span is None:
            warnings.append("无落款, 党组织取自导语 (no signature: committee named from the introduction)")
    committee.kind = committee_kind(committee.name)
    committee.short_name = short_name(committee.name, committee.kind)
    committee.region, warning = _committee_region(committee.name, intro, text, hints)
    if warning:
        warnings.append(warning)
    return committee, warnings


def _committee_region(name: str, intro: str, text: str, hints: tuple[str, ...]) -> tuple[Region, str | None]:
    """The division the committee governs: from its own name and the inspected place; a name that
    is relative (市交通运输局党组) takes the place the page or the text's opening names."""
    place = _place_of(name)
    region, warning = lookup_region(place, _inspected_place(intro))
    if warning or (region.code is None and _PLACE_SUFFIX_RE.search(place) and not _relative(place)):
        region, warning = _placed_by_hints(place, region, warning, (*hints, *_places_named(text[:_PLACE_SCAN])))
    if _relative(place) or (region.code is None and _GRASSROOTS_RE.search(name)):
        found = _first_place([*hints, *_places_named(text[:_PLACE_SCAN])])
        if found is not None:
            if place.startswith(("市", "州", "盟")) and found.county:  # a city's department: the city
                found, _ = lookup_region(f"{found.province}{found.city}")
            region, warning = found, None
    if region.county is None and region.city:
        region = _new_area_county(place, region)
    return region, warning


def _placed_by_hints(place: str, region: Region, warning: str | None,
                     hints: tuple[str, ...]) -> tuple[Region, str | None]:
    """A place name shared by several divisions (鼓楼区, 西湖区) resolved within the province or city
    that the page or the text names."""
    for hint in hints:
        found, _ = lookup_region(hint)
        if not found.province:
            continue
        for within in (f"{found.province}{found.city or ''}", found.province):
            combined, ambiguous = lookup_region(f"{within}{place}")
            if combined.code and not ambiguous and (combined.county or combined.city):
                return combined, None
    return region, warning


_PLACE_SCAN = 3000  # characters of the text searched for a place when the committee's name has none
_PLACE_WORD_RE = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:省|市|州|盟|县|区|旗)(?![委级直属民场内外长])")


def _first_place(texts: tuple[str, ...] | list[str]) -> Region | None:
    """The first city or county the texts name; else the first province."""
    province: Region | None = None
    for text in texts:
        found, _ = lookup_region(text)
        if found.city:
            return found
        if found.code and province is None:
            province = found
    return province


def _places_named(text: str) -> list[str]:
    """Words of the text that may be place names (宿迁市, 沭阳县), in order, each once: looking them up one
    by one costs a fraction of matching the whole text against every division."""
    return list(dict.fromkeys(m.group(0) for m in _PLACE_WORD_RE.finditer(text)))
_GRASSROOTS_RE = re.compile(r"[镇乡村]|街道|社区|嘎查|苏木")  # 历村村党支部: a unit below the county, named without it
_RELATIVE_RE = re.compile(r"^(市|区|县|州|盟|旗|省|自治区|委|局|厅)")


def _relative(place: str) -> bool:
    """市交通运输局 names no place: the city is the one the report is about."""
    return not place or bool(_RELATIVE_RE.match(place))


def _new_area_county(place: str, region: Region) -> Region:
    """南沙新区 is 南沙区: a 新区 that shares its name with a county-level division of the city."""
    match = re.search(r"(?:^|市)([\u4e00-\u9fff]{2,3}?)新区", place)
    if not match:
        return region
    found, _ = lookup_region(f"{region.city or ''}{match.group(1)}区")
    return found if found.county and found.city == region.city else region


_UNIT_RE = re.compile(r"对(?P<unit>[^,。;:对]{2,60}?)(?:进行|开展|实施)了?[^,。;]{0,8}?(?:巡视|巡察)")
_RECIPIENT_RE = re.compile(r"向(?P<unit>[^,。;:向]{2,40}?)(?:集中|当面|书面)?(?:进行)?反馈")
_ORG_SUFFIX_RE = re.compile(r"(委员会|党工委|工委|党委|党组|分党组|党总支|党支部|部务会|区委|县委|市委|州委|旗委|盟委|省委)$")
_PLACE_SUFFIX_RE = re.compile(r"(省|市|区|县|州|旗|盟|自治区|新区|镇|乡|街道)$")
_COUNTY_COMMITTEE_RE = re.compile(r"^(.{2,}?(?:市|区|县|州|旗|盟))委$")


# 通讯地址:秦皇岛市…369号中共秦皇岛经济技术开发区工作委员会: letters go to the committee that reports.
_ADDRESS_COMMITTEE_RE = re.compile(
    r"(?:地址|来信|信函|邮寄)[^。\n]{0,40}?((?:中共|中国共产党)[\u4e00-\u9fff]{2,30}?(?:委员会|党工委|党组|党委))")
_ADDRESS_SCAN = 3000


def _addressed_committee(text: str) -> re.Match[str] | None:
    """The committee named as the addressee in the closing contact details, when nothing else names it."""
    start = max(0, len(text) - _ADDRESS_SCAN)
    return _ADDRESS_COMMITTEE_RE.search(text, start)


def committee_from_intro(intro: str) -> str | None:
    """The inspected Party organisation named by the introduction: 对广元市开展巡视 -> 中共广元市委员会,
    对市交通运输局党组进行了巡察 -> 市交通运输局党组; 向长春新区党工委反馈 gives the kind of organisation
    when the inspected unit is only a place."""
    unit = _cleaned_unit(_UNIT_RE.search(intro))
    recipient = _cleaned_unit(_RECIPIENT_RE.search(intro))
    if unit and _ORG_SUFFIX_RE.search(unit):
        return _full_name(unit)
    if unit and _PLACE_SUFFIX_RE.search(unit):
        kind = _ORG_SUFFIX_RE.search(recipient) if recipient else None
        if kind and recipient and kind.group(1) in ("党工委", "工委") and _shares_place(unit, recipient):
            return f"中共{unit.removeprefix('中共')}{kind.group(1)}"
        return f"中共{unit.removeprefix('中共')}委员会"
    if recipient and _ORG_SUFFIX_RE.search(recipient):
        return _full_name(recipient)
    return None


def _cleaned_unit(match: re.Match[str] | None) -> str | None:
    """The unit without a parenthesised short form (简称明珠湾管理局) or a leading 我/本."""
    if not match:
        return None
    unit = re.sub(r"\([^()]*\)", "", match.group("unit")).strip()
    unit = re.split(r"以及|及|、", unit)[0]  # 对某某县委及县直单位: the committee
    return None if not unit or unit[0] in "我本该" else unit


_ZONE_RE = re.compile(r"(?:开发区|高新区|新区|园区|试验区|合作区|示范区)$")


def _shares_place(unit: str, recipient: str) -> bool:
    """The feedback's recipient names the inspected place, in full or, for a zone, by any short form (长春净月高新技术
    产业开发区 and 净月高新区党工委: a zone is governed by a 党工委)."""
    core = _place_of(recipient)
    return bool(core) and (core in unit or unit.removeprefix("中共") in core or bool(_ZONE_RE.search(unit)))


def _full_name(unit: str) -> str:
    """广元市委 -> 中共广元市委员会; 长春新区党工委 -> 中共长春新区党工委; a relative name
    (市交通运输局党组) stays as written: its place is not known here."""
    core = unit.removeprefix("中共").removeprefix("中国共产党")
    county = _COUNTY_COMMITTEE_RE.match(core)
    if county and not _relative(county.group(1)):
        return f"中共{county.group(1)}委员会"
    if unit.startswith(("中共", "中国共产党")):
        return unit
    place = _place_of(core)
    if core.endswith("党委") and not _relative(place) and not _PLACE_SUFFIX_RE.search(place):
        return f"中共{place}委员会"  # 浙江工业大学党委 signs 中共浙江工业大学委员会
    if _relative(place) or lookup_region(place)[0].code is None:
        return core  # 市交通运输局党组, 明珠湾管理局党组: as written
    return f"中共{core}"


def committee_kind(name: str) -> str | None:
    core = name.removeprefix("中共").removeprefix("中国共产党")
    for suffix, kind in (("工作委员会", "党工委"), ("党工委", "党工委"), ("工委", "党工委"), ("党组", "党组"), ("党委", "党委"),
                         ("党总支", "党总支"), ("自治区委员会", "自治区党委")):
        if core.endswith(suffix):
            return kind
    for suffix in ("区委", "县委", "市委", "州委", "旗委", "省委", "盟委"):
        if core.endswith(suffix):
            return suffix
    if core.endswith("委员会"):
        place = core.removesuffix("委员会")
        for tail, kind in (("自治区", "自治区党委"), ("省", "省委"), ("市", "市委"), ("区", "区委"), ("县", "县委"),
                           ("州", "州委"), ("旗", "旗委"), ("盟", "盟委"), ("街道", "街道党工委")):
            if place.endswith(tail):
                return kind
        return "党委"
    return None


def short_name(name: str, kind: str | None) -> str | None:
    core = name.removeprefix("中共").removeprefix("中国共产党")
    if kind is None:
        return None
    for suffix in ("工作委员会", "委员会"):
        if core.endswith(suffix):
            place = core.removesuffix(suffix)
            if kind in ("区委", "县委", "市委", "州委", "旗委", "省委", "盟委"):
                return place + "委"
            return place + kind
    return core


def _place_of(name: str) -> str:
    core = name.removeprefix("中共").removeprefix("中国共产党")
    for suffix in ("工作委员会", "委员会", "党工委", "工委", "党委", "党组", "党总支"):
        core = core.removesuffix(suffix)
    return core


def _inspected_place(intro: str) -> str:
    match = re.search(r"对(?:中共)?(.{2,30}?)(?:党委|区委|县委|市委|党组|党工委)?(?:开展|进行)", intro)
    return match.group(1) if match else ""


def inspection_from(text: str, intro: Span, title: str | None = None,
                    published: dt.date | None = None) -> tuple[Inspection, list[str]]:
    """Group, round and dates from the introduction paragraph(s); the round also from the title; the
    year, when the introduction writes none, from the publication date."""
    warnings: list[str] = []
    body = text[intro[0]:intro[1]]
    inspection = Inspection(span=intro)
    group = _find_group(body)
    if group:
        written = group.group("group").replace(" ", "")  # 县委第二 巡察组: a stray space is no part of the name
        inspection.group = _place_before(body, group.start("by")) + written if group.group("by") else written
        inspection.by = group.group("by")
        inspection.ordinal = to_int(group.group("n")) if "n" in group.groupdict() and group.group("n") else None
        inspection.kind = group.group("kind")
    else:
        kinds = re.findall(r"巡视|巡察", body)
        inspection.kind = kinds[0] if kinds else None
        warnings.append("未找到巡视/巡察组 (no inspection group named)")
    if inspection.by is None:
        by = _BY_RE.search(body)
        inspection.by = by.group(1) if by else None
    rnd = _ROUND_RE.search(body) or (_ROUND_RE.search(title) if title else None)
    if rnd:
        inspection.round = rnd.group(0)
        if inspection.by is None and rnd.group(2):
            inspection.by = rnd.group(2)
        if group and not group.group("by") and rnd.group(2) and group.group("n") \
                and re.fullmatch(r"(?:巡视|巡察)?", body[rnd.end():group.start()]):
            # the dispatcher written before the round (十一届省委第三轮巡视第二巡视组, 十二届市委第二轮巡察第三组): the
            # group without term and round, as the dispatcher names its groups (省委第二巡视组, 市委第三巡察组)
            inspection.group = f"{rnd.group(2)}第{group.group('n')}{group.group('kind')}组"
    _inspection_dates(body, inspection, warnings, published)
    return inspection, warnings


def _place_before(body: str, start: int) -> str:
    """The place named right before a group's dispatcher, as written (长沙 in 长沙市委第三巡察组): a division's
    name when the dispatcher's first character completes it (长沙 + 市), else nothing."""
    level = body[start:start + 1]
    for size in range(6, 1, -1):
        place = body[max(0, start - size):start]
        if len(place) == size and is_division_name(place + level):
            return place
    return ""


def _find_group(body: str) -> re.Match[str] | None:
    """The inspection group, by the first grammar that finds one."""
    for pattern in _GROUP_RES:
        match = pattern.search(body)
        if match:
            return match
    return None


def _inspection_dates(body: str, inspection: Inspection, warnings: list[str], published: dt.date | None) -> None:
    dates = _dates_with_a_later_year(body, find_dates(body)) or _dates_before(body, published)
    used = _inspection_period(body, dates, inspection) or _entry_and_exit(body, dates, inspection)
    if inspection.start is None:  # a scrape that lost 年/月 (2024717日至830日), or dotted dates
        dates = find_dates(body, scraped=True)
        used = _inspection_period(body, dates, inspection)
    if inspection.start is None:
        period = find_month_range(body, dates[0].date.year if dates else None)
        if period:
            inspection.start, inspection.end = period
            warnings.append("巡视/巡察时间只写到月 (inspection period given to the month only)")
    unused = [i for i in range(len(dates)) if i not in used]
    told = [i for i in unused if "反馈" in _after(body, dates, i)] or \
        [i for i in unused if "反馈" in _sentence_around(body, dates[i].start, dates[i].end)]
    if told:  # the date whose own words say 反馈 (…5月20日撤离,7月12日向市委反馈), else the first in such a sentence
        inspection.feedback = dates[told[0]].date
    if inspection.start is None:
        warnings.append("未找到巡视/巡察起止日期 (no inspection period found)")
    if inspection.feedback is None:
        warnings.append("未找到反馈日期 (no feedback date found)")


def _dates_with_a_later_year(body: str, dates: list[DateMention]) -> list[DateMention]:
    """Dates before the first year the introduction writes (于3月29日至6月16日…2023年8月29日反馈) take that
    year, or the one before when they would come after it."""
    first = next((d for d in dates if d.year_written), None)
    if first is None or not DATE_RE.search(body, 0, first.start):
        return dates
    head = find_dates(body[:first.start], base_year=first.date.year)
    if head and (head[0].date.month, head[0].date.day) > (first.date.month, first.date.day):
        head = find_dates(body[:first.start], base_year=first.date.year - 1)
    if head and head[-1].date > first.date:
        return dates
    return head + [d for d in dates if d.start >= first.start]


def _dates_before(body: str, published: dt.date | None) -> list[DateMention]:
    """Dates of an introduction that writes no year (3月1日至4月30日…6月10日反馈): in the year of the
    publication, or the year before when that would put them after it."""
    if published is None:
        return []
    dates = find_dates(body, base_year=published.year)
    if dates and dates[-1].date > published:
        dates = find_dates(body, base_year=published.year - 1)
    return dates


def _inspection_period(body: str, dates: list[DateMention], inspection: Inspection) -> set[int]:
    """The date range of the inspection: a range whose sentence names the inspection rather than the
    rectification (集中整改 2023年10月21日至2024年1月21日 is not it); else the first range."""
    ranges = [i for i in range(len(dates) - 1) if _RANGE_SEP_RE.match(body[dates[i].end:dates[i + 1].start])]
    if not ranges:
        return set()
    chosen = next((i for i in ranges if _names_inspection(_sentence_around(body, dates[i].start, dates[i + 1].end))),
                  ranges[0])
    inspection.start, inspection.end = dates[chosen].date, dates[chosen + 1].date
    return {chosen, chosen + 1}


def _entry_and_exit(body: str, dates: list[DateMention], inspection: Inspection) -> set[int]:
    """The inspection written as two events instead of a range: the group 进驻 on one date and 撤离 (or the
    inspection 结束) on a later one (2023年3月15日进驻新密市,5月20日撤离)."""
    entry = next((i for i in range(len(dates)) if _ENTRY_RE.search(_after(body, dates, i))), None)
    if entry is None:
        return set()
    exit_ = next((i for i in range(entry + 1, len(dates)) if _EXIT_RE.search(_after(body, dates, i))), None)
    inspection.start = dates[entry].date
    if exit_ is None:
        return {entry}
    inspection.end = dates[exit_].date
    return {entry, exit_}


_ENTRY_RE = re.compile(r"进驻")
_EXIT_RE = re.compile(r"撤离|撤出|离开|(?:巡视|巡察)(?:工作)?结束")


def _after(body: str, dates: list[DateMention], i: int) -> str:
    """The words from a date to the next date or the end of its sentence: what happened on it."""
    end = dates[i + 1].start if i + 1 < len(dates) else len(body)
    stops = [pos for ch in "。;\n" if (pos := body.find(ch, dates[i].end, end)) != -1]
    return body[dates[i].end:min(stops) if stops else end]


def _names_inspection(sentence: str) -> bool:
    return ("巡视" in sentence or "巡察" in sentence) and "整改" not in sentence


def _sentence_around(body: str, start: int, end: int) -> str:
    left = max(body.rfind(ch, 0, start) for ch in "。;\n")
    rights = [pos for ch in "。;\n" if (pos := body.find(ch, end)) != -1]
    return body[left + 1:min(rights) if rights else len(body)]


def contact_from(text: str, closing: int) -> Contact:
    block = text[closing:]
    contact = Contact()
    email = _EMAIL_RE.search(block)
    contact.email = email.group(0) if email else None
    postcode = _POSTCODE_RE.search(block)
    contact.postcode = postcode.group(1) if postcode else None
    for phone in _PHONE_RE.finditer(block):
        if postcode and phone.start() <= postcode.start(1) < phone.end():
            continue
        if email and email.start() <= phone.start() < email.end():
            continue
        contact.phone = f"{phone.group(1)}-{phone.group(2)}" if phone.group(1) else phone.group(2)
        break
    address = _ADDRESS_RE.search(block)
    contact.address = address.group(1).strip() if address else None
    return contact


# --- bodies named in measures --------------------------------------------------------
#
# A body's name ends in a head word of an institution (局, 纪委监委, 领导小组, 公司…) and starts after
# punctuation, a conjunction, a preposition or a verb of handing and acting: both ends are read from the
# classes of words around it, never from a list of bodies. Names inside 《》 titles are not bodies. A name
# that runs into a post (区委常委, 书记, 班子成员) is people; one opened by a quantifier or a class word (各街道,
# 相关部门, 区属平台公司, 4个工作组) is a class of bodies. Enumerations (、 和 及 与) give one body each; 区委区政府
# is two. Roles come from the words that frame the name in its clause: X牵头 (lead), 由X负责/督办/跟进 and
# 责任单位: (responsible), 按照X要求 and honours (mentioned); otherwise the body takes part (participant).

ROLES = ("lead", "responsible", "participant", "mentioned")
_ROLE_RANK = {role: rank for rank, role in enumerate(("mentioned", "participant", "responsible", "lead"))}

# Head words that end a body's name; the longest is tried first where one contains another.
_HEADS = ("中央", "纪委监委", "人民代表大会", "人大常委会", "管理委员会", "工作委员会", "委员会", "常委会", "管委会", "党工委",
          "纪工委", "工委", "党委", "党组", "党总支", "组织部", "宣传部", "统战部", "武装部", "政法委", "人民政府", "政府",
          "办公室", "办公厅", "督查室", "研究室", "办事处", "联络处", "管理处", "领导小组", "中心组", "纪检监察组", "执纪组",
          "工作专班", "专班", "公安分局", "分局", "人民法院", "法院", "人民检察院", "检察院", "医院", "学院", "大学", "小学",
          "中学", "银行", "有限公司", "公司", "集团", "中心", "管委", "政协", "人大", "纪委", "监委", "局", "厅", "委", "办")
_HEAD_RE = re.compile("|".join(sorted(_HEADS, key=len, reverse=True)))
# Characters that cannot follow a head for it to end a name (局面, 委托, 办理, 中心城区, 公司制, 人大代表…).
_NOT_AFTER = {"党组": "织", "组织部": "门", "宣传部": "门", "统战部": "门", "局": "面限势部长", "委": "员托屈婉派",
              "办": "理法好事结案学实件文会公证", "厅": "长", "中心": "城工任环区点", "公司": "制", "人大": "代",
              "政协": "委", "监委": "员", "纪委": "员书", "大学": "科生"}
# Characters before a head that make it a verb or a situation (督办, 查办, 通办; 布局, 格局; 为中心).
_NOT_BEFORE = {"办": set("督查承主交转帮代协包领举创开兴接通申难好自联快盯次民"), "局": set("布格结大全开当时变棋新破"),
               "中心": set("为"), "厅": set("大餐客展"), "小学": set("中")}
# Heads that need a proper name before them (承包公司, 燃气公司 and 银行 alone are classes, not bodies).
_NAMED_HEADS = {"公司": 4, "有限公司": 4, "集团": 3, "银行": 2, "小学": 2, "中学": 2, "学院": 3, "大学": 2, "医院": 2,
                "办": 2, "政府": 1}
# Heads that may stand alone as a body (党工委 is a zone's committee, 常委会 a committee's standing committee).
_ALONE = {"中央", "党工委", "纪工委", "管委", "管委会", "常委会", "纪委监委", "纪委", "政协"}
_CENTRAL_AFTER = ("和", "、", "及", "与", ",", "。", "的", "部署", "决策", "要求", "精神")
_LEVELS = ("中央", "省", "市", "区", "县", "州", "盟", "旗", "乡", "镇")
# Heads a complete name before a new level ends with (区委|区政府).
_COMPLETE = ("委", "政府", "政协", "人大", "纪委监委", "常委会", "法院", "检察院")
# Words a name starts after (a name never holds them): conjunctions, prepositions, verbs of handing and acting.
_BEFORE_WORDS = frozenset({
    "和", "及", "与", "同", "由", "向", "对", "在", "到", "将", "从", "经", "被", "让", "给", "把", "为", "以", "是", "于",
    "了", "的", "等", "并", "或", "至", "请", "就", "按照", "根据", "依据", "配合", "会同", "联合", "协调", "督促", "要求",
    "听取", "提交", "接办", "指导", "划入", "列入", "纳入", "设立", "成立", "组建", "邀请", "抽调", "通过", "推动", "支持",
    "召开", "报请", "报送", "移交", "移送", "交由", "联系", "报告", "汇报", "承办", "落实", "贯彻", "其中", "其", "此外",
    "同时", "目前", "今年", "以来", "期间", "先后", "已经", "已", "均", "还", "也", "又", "即", "由于", "针对", "围绕",
    "聚焦", "结合", "制发", "印发", "下发", "出台", "制定", "建立", "健全", "完善", "加强", "强化", "开展", "组织",
    "约谈", "问责", "选派", "派出", "牵头", "负责", "跟进", "督办", "分别", "全力", "积极", "主动", "获得", "获", "获批",
    "取得", "明确", "依托", "借助", "对接", "协同", "发挥", "执行", "提高", "提升", "完成", "增设", "培育", "拥有",
    "领会", "实现", "推进", "规范", "了解", "上报", "报至", "报", "充实", "深化", "严格", "切实", "认真", "进一步", "不断",
    "持续", "进驻", "参加", "组成", "共建", "此前", "参与", "列席", "面向", "深入", "确保", "传达", "学习", "转", "转交",
    "转办", "修订", "修改", "压实", "夯实", "细化", "调整", "优化", "挂职", "下设", "担任", "担负", "构建", "构建起", "简称",
    "创建", "创成",
})
_BEFORE_SET = frozenset(_BEFORE_WORDS)
_BEFORE_LENGTHS = sorted({len(word) for word in _BEFORE_WORDS})
_BEFORE_LAST = frozenset(word[-1] for word in _BEFORE_WORDS)  # a cheap first test: most characters end no word
# Words that hold a before-word inside a name (经信局, 经济开发区, 就业局, 和平区, 联合体, 党的建设, 同级党委).
_COMPOUNDS = ("经济", "经信", "经开区", "经管", "就业", "和平", "对外", "为民", "同济", "联合体", "联合会", "应对", "同级", "上级",
              "下级", "党的", "理论学习", "以色列", "住房和城乡", "人力资源和社会", "工业和信息", "文化和旅游",
              "自然资源和规划", "科学技术和", "卫生和计划生育")
_COMPOUND_RE = re.compile("|".join(_COMPOUNDS))
# A name opened by one of these names a class of bodies, not one body.
_CLASS_START = ("各", "全区", "全市", "全县", "全省", "相关", "有关", "区属", "市属", "县属", "区直", "市直", "县直", "区级",
                "市级", "县级", "省级", "基层", "上级", "下级", "下一级", "同级", "职能", "重点", "所属", "所在", "本级", "本",
                "我", "该", "多", "部分", "一级", "二级", "属地", "牵头", "责任", "被", "国有", "街道", "社区", "村", "乡镇",
                "其他", "其余", "政法各", "派驻", "案发", "核查", "党政", "党", "平台", "子", "参股", "业务", "镇街", "乡街",
                "大型", "中小", "小微", "重大", "企业", "地方", "一", "二", "两", "三", "四", "五", "六", "七", "八", "九", "十")
# Words inside a name that make it a class (省、市两级发改委, 各级党组织).
_CLASS_INSIDE_RE = re.compile(r"[两三四五各]级|[两三四五六七八九十多各][县区市乡镇]")
# Words after a name that make it a post or people (区委常委, 区委书记, 区政府班子成员, 人大代表).
_POST_AFTER = ("常委", "书记", "副书记", "主要领导", "主要负责", "领导班子", "班子", "领导", "委员", "主任", "部长", "局长",
               "干部", "成员", "代表", "负责同志", "负责人", "分管")
_NOT_POST = ("领导小组", "班子会", "常委会")
# Words after a name that make it the inspection (省委巡视, 省委第三巡视组) or a place (第四小学教学综合楼).
_SOURCE_AFTER_RE = re.compile(r"(?:第[一二三四五六七八九十\d]+)?(?:轮)?(?:巡视|巡察|督察)")
_PLACE_AFTER = ("教学", "楼", "工程", "项目", "投资项目", "改造", "周边", "门口", "地块", "校区", "院区", "建设", "选址")
_CLASSIFIERS = set("个家所支名批次号")
_NUMERALS = set("一二两三四五六七八九十百几多")
_CLASSIFIER_RE = re.compile(r"(?:\d+|[一二两三四五六七八九十百几多]+)[个家所支名批]$")
_NAME_MAX = 24
_NOT_A_LEVEL = ("市场", "市政设施", "市政工程", "市政维修", "市政管理", "区域")  # 市场监管局 is no city's by its name
_NAMED_PLACE_RE = re.compile(r"^[\u4e00-\u9fff]{2,7}?(?:省|市|自治区)")
_DATED_RE = re.compile(r"\d(?:年度?|月|日)$")
_PARTY_PREFIX_RE = re.compile(r"^(?:中国共产党|中共)(?=.)")
_TITLE_RE = re.compile(r"《[^《》]*》|〔[^〔〕]*〕")
# Roles: the words that frame a name (or the enumeration it is in) within its clause. Mentioned, as the labels
# define it (tests/labels/organisations.json): rules or requirements cited, earlier findings, honours from
# outside, a renamed predecessor, a higher body's plenum.
_ENUMERATED = r"(?:(?:、|和|及(?!时)|与|以及)[^,。;、和及与]{1,24}?)*?(?:等(?:单位|部门)?)?"
_LEAD_RE = re.compile(rf"{_ENUMERATED}(?:统一|共同|具体)?牵头")
_RESPONSIBLE_RE = re.compile(rf"{_ENUMERATED}(?:统一|共同|具体|专门|分别)?(?:负责(?!同志|人)|督查督办|督办|跟进|承办|主抓|抓总)")
_LABELLED_RE = re.compile(r"(牵头|责任)(?:单位|部门)\s*[::为是](?:[^,。;:]*(?:、|和|及|与))?$")
_BY_RE = re.compile(r"由(?:[^,。;]*(?:、|和|及|与))?$")
_MENTIONED_AFTER_RE = re.compile(
    rf"{_ENUMERATED}(?:的)?[^,。;、]{{0,8}}?(?:要求|部署|精神|规定|决策|标准|名录|指示|批示)"
    r"|(?:获评|获得|荣获|被评为|授予|表彰)|[^,。;]{0,12}?全会召开后"
    rf"|{_ENUMERATED}(?:在[^,。;]{{0,12}}?)?(?:检查|审计|巡视|巡察|督查)?(?:发现|指出)"  # earlier findings
    r"|(?:更名为|改名为|改称)")  # a renamed predecessor
_MENTIONED_BEFORE_RE = re.compile(r"(?:按照|根据|依据|贯彻|对标|遵照)[^,。;]{0,4}$|(?:列入|纳入)$")
# Honours from outside: 被X表扬/命名/刊登 (the body is named as the source of praise).
_HONOURED_RE = re.compile(r"被$")
_HONOUR_AFTER_RE = re.compile(r"[^,。;]{0,16}?(?:表扬|命名|评为|刊登|推广|肯定|授予|认定|通报表扬)")


def organizations_in(text: str, start: int, end: int) -> list[str]:
    """Names of the bodies text[start:end] names, each once, in order (see :func:`bodies_in`)."""
    return [body.name for body in bodies_in(text, start, end)]


def bodies_in(text: str, start: int, end: int) -> list[Body]:
    """The bodies text[start:end] names, each once in its fullest form (a later 常委会 is the 区委常委会 named
    before it; 纪工委 then 开发区纪工委 is one body), with the span of that form, its strongest role over its
    mentions (lead > responsible > participant > mentioned), its level and the place its name opens with."""
    seg = text[start:end]
    if "《" in seg or "〔" in seg:  # names in titles are not bodies
        seg = _TITLE_RE.sub(lambda m: "□" * len(m.group(0)), seg)
    found: dict[str, Body] = {}
    marks: list[int] | None = None  # where seg's clauses end, read at its first body
    for a, b, head in _names(seg):
        if not _is_body(seg, a, b, head):
            continue
        if marks is None:
            marks = [m.start() for m in _CLAUSE_MARK_RE.finditer(seg)]
        name, role = _PARTY_PREFIX_RE.sub("", seg[a:b]), _role(seg, a, b, marks)
        fuller = next((known for known in found if known.endswith(name) and known != name), None)
        if fuller is not None:  # 区委常委会 … 常委会: a later short mention of the same body
            name = fuller
        shorter = next((known for known in found if name.endswith(known) and known != name), None)
        if shorter is not None:  # 纪工委 … 开发区纪工委: the body in its fullest form, where that is written
            old = found.pop(shorter)
            found[name] = Body(name, (start + a, start + b), old.role, _level_of(name), _named_region(name))
        body = found.setdefault(name, Body(name, (start + a, start + b), role, _level_of(name), _named_region(name)))
        if _ROLE_RANK[role] > _ROLE_RANK[body.role]:
            body.role = role
    bodies = sorted(found.values(), key=lambda body: body.span)
    _carry_levels(seg, start, bodies)
    return bodies


def _names(seg: str) -> list[tuple[int, int, str]]:
    """Candidate names with their heads: each head that ends a name, reached back to where the name starts; a
    name inside a longer one (区委 in 区委组织部) is dropped."""
    spans: list[tuple[int, int, str]] = []
    covered = {p for m in _COMPOUND_RE.finditer(seg) for p in range(m.start() + 1, m.end() + 1)}
    for match in _HEAD_RE.finditer(seg):
        head, b = match.group(0), match.end()
        if not _ends_name(seg, match.start(), b, head):
            continue
        a = _name_start(seg, match.start(), covered)
        if a < match.start() or head in _ALONE:
            spans.append((a, b, head))
    return [(a, b, head) for a, b, head in spans
            if not any(a2 <= a and b <= b2 and (a2, b2) != (a, b) for a2, b2, _ in spans)]


def _ends_name(seg: str, a: int, b: int, head: str) -> bool:
    after = seg[b:b + 1]
    if (after and after in _NOT_AFTER.get(head, "")) or (a > 0 and seg[a - 1] in _NOT_BEFORE.get(head, ())):
        return False
    if head == "中央":
        return not after or seg.startswith(_CENTRAL_AFTER, b)
    # 区委组织部, 区人大常委会党组: the name goes on to the next head, unless a new level opens (区委区政府)
    return not (after and _HEAD_RE.match(seg, b) and not seg.startswith(_LEVELS, b))


def _name_start(seg: str, head_start: int, covered: set[int]) -> int:
    """Where the name ending in the head at ``head_start`` begins: after the nearest punctuation, word a name
    does not hold (unless a compound covers it: ``covered`` holds the ends inside compounds), quantity (131个),
    date (2018年) or complete name of another level (区委|区政府)."""
    a = head_start
    limit = max(0, head_start - _NAME_MAX)
    while a > limit:
        ch = seg[a - 1]
        if not "\u4e00" <= ch <= "\u9fff":
            break
        if ch in _BEFORE_LAST and a not in covered and any(seg[a - n:a] in _BEFORE_SET for n in _BEFORE_LENGTHS
                                                           if n <= a):
            break
        if seg.startswith(_LEVELS, a) and seg.endswith(_COMPLETE, 0, a):
            break
        if ch in _CLASSIFIERS and a >= 2 and (seg[a - 2].isdigit() or seg[a - 2] in _NUMERALS):
            break
        if ch in "年月日度" and _DATED_RE.search(seg, max(0, a - 3), a):
            break  # 2018年市纪委: the name starts after the date
        a -= 1
    return a


def _is_body(seg: str, a: int, b: int, head: str) -> bool:
    """Not people, not a class of bodies, not the inspection nor a place: one body."""
    name = seg[a:b]
    if len(name) < 2 or name.endswith("常委") or len(name) - len(head) < _NAMED_HEADS.get(head, 0):
        return False
    if name not in _ALONE and name.startswith(_CLASS_START):
        return False
    if seg.startswith(_POST_AFTER, b) and not seg.startswith(_NOT_POST, b):
        return False
    if _SOURCE_AFTER_RE.match(seg, b) or seg.startswith(_PLACE_AFTER, b) or _CLASS_INSIDE_RE.search(name):
        return False
    if seg[a - 1:a] == "“" and seg[b:b + 1] == "”":
        return False  # “企业服务专班”, “两委”: a mechanism's or a slogan's name
    return not _CLASSIFIER_RE.search(seg, max(0, a - 4), a)


_CLAUSE_MARK_RE = re.compile("[" + re.escape(",。;!?") + "]")


def _clause(seg: str, a: int, b: int, marks: list[int]) -> tuple[int, int]:
    """The clause around seg[a:b]: between the nearest ,。;!? (or the segment's ends); a colon stays inside, so
    that 责任单位: X reads as one clause. ``marks`` holds the positions of those marks in seg, in order (found
    once per segment: a scan of the segment per name and mark was most of the role's cost)."""
    i = bisect_left(marks, a)
    left = marks[i - 1] if i else -1
    j = bisect_left(marks, b, i)
    return left + 1, marks[j] if j < len(marks) else len(seg)


def _role(seg: str, a: int, b: int, marks: list[int]) -> str:
    """lead, responsible, mentioned or participant, from the words that frame the name in its clause."""
    c0, c1 = _clause(seg, a, b, marks)
    before, after = seg[c0:a], seg[b:c1]
    labelled = _LABELLED_RE.search(before)
    if labelled:
        return "lead" if labelled.group(1) == "牵头" else "responsible"
    if _LEAD_RE.match(after):
        return "lead"
    if _RESPONSIBLE_RE.match(after) and (_BY_RE.search(before) or not before.strip()):
        return "responsible"
    if _MENTIONED_AFTER_RE.match(after) or _MENTIONED_BEFORE_RE.search(before):
        return "mentioned"
    if _HONOURED_RE.search(before) and _HONOUR_AFTER_RE.match(after):
        return "mentioned"
    return "participant"


def _level_of(name: str) -> str | None:
    """The tier a name opens with (市纪委 -> 市); None for a name that opens with a place's own name."""
    if name.startswith(_NOT_A_LEVEL):
        return None
    for level in ("中央", "党中央", "省", "市", "区", "县", "州", "盟", "旗"):
        if name.startswith(level):
            return "中央" if level == "党中央" else level
    return None


def _named_region(name: str) -> Region | None:
    """The province or city a name opens with (济南市基础教育设施建设工作领导小组 -> 济南市, 河北省开发区… -> 河北省);
    counties are left out (鼓楼区 is in four cities)."""
    match = _NAMED_PLACE_RE.match(name)
    if match is None:
        return None
    region, warning = lookup_region(match.group(0))
    return region if region.code and not warning and region.county is None else None


def _carry_levels(seg: str, start: int, found: list[Body]) -> None:
    """In an enumeration the level carries over (市纪委、人社局: the city's 人社局) to names that open with none."""
    for before, body in zip(found, found[1:]):
        gap = seg[before.span[1] - start:body.span[0] - start]
        if body.level is None and before.level is not None and gap in ("、", "和", "及", "与", "以及"):
            body.level = before.level
