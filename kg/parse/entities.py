"""Who and when: the closing block, the committee, the inspection, contact details,
and the organisations a measure names as actors."""

from __future__ import annotations

import datetime as dt
import re

from kg.model import Committee, Contact, Inspection, Region, Span
from kg.parse.dates import DATE_RE, DateMention, find_dates, find_month_range
from kg.parse.numerals import to_int
from kg.parse.region import lookup_region

_CN = "一二三四五六七八九十"
DATE_LINE_RE = re.compile(r"^\s*((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年\s*\S{1,3}\s*月\s*\S{1,3}\s*日\s*$")
_SIGNATURE_RE = re.compile(r"(委员会|区委|县委|市委|州委|旗委|省委|党委|党组|党工委|工委|党总支|总支部委员会|支部委员会|集团|公司)$")
_CLOSING_RE = re.compile(r"欢迎.{0,12}(监督|批评)|请及时向我们反映|联系方式|联系电话|举报电话|邮政信箱|电子邮箱|电子信箱|"
                         r"邮编|邮政编码|通讯地址|通信地址|来信地址|征求意见时间")
_BY = "中央|省委|自治区党委|市委|州委|盟委|区委|县委|旗委|工委|党委|党组"
# Groups as written: 省委第九巡视组, 市委巡视六组 (number after the kind), 区委营商环境专项巡察组 (named by its
# topic), 省委巡视组 (no number). Tried in this order: a numbered group is the better reading.
_GROUP_RES = (
    re.compile(rf"(?P<group>(?P<by>{_BY})?第(?P<n>[{_CN}\d]+)(?P<kind>巡视|巡察)组)"),
    re.compile(rf"(?P<group>(?P<by>{_BY})?(?P<kind>巡视|巡察)第?(?P<n>[{_CN}\d]+)组)"),
    re.compile(rf"(?P<group>(?P<by>{_BY})(?:[^\s第轮巡办,。;:、“”()]{{0,12}}?)(?P<kind>巡视|巡察)组)"),
)
_ROUND_RE = re.compile(rf"((?:十[{_CN[:9]}]?|[{_CN}])届)?(中央|省委|自治区党委|市委|州委|区委|县委|旗委|党委)?第([{_CN}\d]+)轮")
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


def signature(text: str) -> tuple[Span | None, DateMention | None]:
    """The signing committee line and the date line under it, from the end of the text."""
    lines = text.split("\n")
    offsets = _line_offsets(lines)
    date: DateMention | None = None
    for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
        if DATE_LINE_RE.match(lines[i]):
            found = find_dates(lines[i])
            if found:
                d = found[0]
                date = DateMention(d.date, offsets[i] + d.start, offsets[i] + d.end, True)
            if i > 0 and len(lines[i - 1]) <= 40 and _SIGNATURE_RE.search(lines[i - 1]):
                return (offsets[i - 1], offsets[i - 1] + len(lines[i - 1])), date
            return None, date
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
    if _relative(place):
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


def _shares_place(unit: str, recipient: str) -> bool:
    core = _place_of(recipient)
    return bool(core) and (core in unit or unit.removeprefix("中共") in core)


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
        inspection.group = group.group("group")
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
    _inspection_dates(body, inspection, warnings, published)
    return inspection, warnings


def _find_group(body: str) -> re.Match[str] | None:
    """The inspection group, by the first grammar that finds one."""
    for pattern in _GROUP_RES:
        match = pattern.search(body)
        if match:
            return match
    return None


def _inspection_dates(body: str, inspection: Inspection, warnings: list[str], published: dt.date | None) -> None:
    dates = _dates_with_a_later_year(body, find_dates(body)) or _dates_before(body, published)
    used = _inspection_period(body, dates, inspection)
    if inspection.start is None:  # a scrape that lost 年/月 (2024717日至830日), or dotted dates
        dates = find_dates(body, scraped=True)
        used = _inspection_period(body, dates, inspection)
    if inspection.start is None:
        period = find_month_range(body, dates[0].date.year if dates else None)
        if period:
            inspection.start, inspection.end = period
            warnings.append("巡视/巡察时间只写到月 (inspection period given to the month only)")
    for i, mention in enumerate(dates):
        if i in used:
            continue
        sentence = _sentence_around(body, mention.start, mention.end)
        if "反馈" in sentence:
            inspection.feedback = mention.date
            break
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


# --- organisations named as actors --------------------------------------------------

_ORG_PREFIX = "区县市省州旗镇乡"
_ORG_SUFFIXES = ("纪委监委", "纪工委", "监委", "组织部", "宣传部", "统战部", "政法委", "编办", "机管局", "人大常委会",
                 "常委会", "政协", "法院", "检察院", "管委会", "党工委", "党委", "党组", "委员会", "办公室", "督查室",
                 "中心", "公司", "集团", "局", "办", "委", "院", "部", "室", "厅")
_ORG_BEFORE = set("。,;:、由对向与和及同将在(“ \n")
_ORG_AFTER = ("对", "开展", "联合", "牵头", "会同", "制定", "印发", "出台", "组织", "负责", "将", "已", "先后", "结合",
              "按照", "进行", "向", "与", "和", "、", ",", "。", ";", "等", "共同", "持续", "定期", "专题", "召开", "成立",
              "建立", "完善", "严格", "督促", "加强", "深入", "及时", "认真", "派驻", "下发", "研究", "分别", "均",
              "全面", "积极", "主动", "聚焦", "围绕", "针对", "通过", "坚持", "把", "在", "要求", "依法", ")", "”",
              "听取", "审议", "专门", "不定期", "多次", "指导", "配合", "抽调", "会商", "统筹", "安排")
_ORG_MAX = 10
_ORG_PREFIX_RE = re.compile(f"[{_ORG_PREFIX}]")


def organizations_in(text: str, start: int, end: int) -> list[str]:
    """Organisation names in text[start:end] that stand as actors: 区纪委监委, 区委组织部…"""
    found: list[str] = []
    resume = start  # after a name, the search goes on past it
    for match in _ORG_PREFIX_RE.finditer(text, start, end):
        pos = match.start()
        if pos < resume or (pos > 0 and text[pos - 1] not in _ORG_BEFORE):
            continue
        name = _org_at(text, pos, end)
        if name:
            if name not in found:
                found.append(name)
            resume = pos + len(name)
    return found


def _org_at(text: str, pos: int, end: int) -> str | None:
    for length in range(min(_ORG_MAX, end - pos), 2, -1):
        candidate = text[pos:pos + length]
        if not all("\u4e00" <= c <= "\u9fff" for c in candidate):
            continue
        if not candidate.endswith(_ORG_SUFFIXES):
            continue
        after = text[pos + length:pos + length + 4]
        if pos + length >= end or after.startswith(_ORG_AFTER):
            return candidate
    return None
