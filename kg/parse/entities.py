"""Who and when: the closing block, the committee, the inspection, contact details,
and the organisations a measure names as actors."""

from __future__ import annotations

import re

from kg.model import Committee, Contact, Inspection, Span
from kg.parse.dates import DateMention, find_dates
from kg.parse.numerals import to_int
from kg.parse.region import lookup_region

_CN = "一二三四五六七八九十"
DATE_LINE_RE = re.compile(r"^\s*((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年\s*\S{1,3}\s*月\s*\S{1,3}\s*日\s*$")
_SIGNATURE_RE = re.compile(r"(委员会|区委|县委|市委|州委|旗委|省委|党委|党组|党工委|工委|党总支|总支部委员会|支部委员会|集团|公司)$")
_CLOSING_RE = re.compile(r"欢迎.{0,12}(监督|批评)|请及时向我们反映|联系方式|联系电话|举报电话|邮政信箱|电子邮箱|电子信箱|"
                         r"邮编|邮政编码|通讯地址|通信地址|来信地址|征求意见时间")
_GROUP_RE = re.compile(rf"((中央|省委|自治区党委|市委|州委|盟委|区委|县委|旗委|党委|党组)?第([{_CN}\d]+)(巡视|巡察)组)")
_ROUND_RE = re.compile(rf"((?:十[{_CN[:9]}]?|[{_CN}])届)?(中央|省委|自治区党委|市委|州委|区委|县委|旗委|党委)?第([{_CN}\d]+)轮")
_BY_RE = re.compile(r"根据(中央|省委|自治区党委|市委|州委|盟委|区委|县委|旗委|党委|党组)(?:的)?(?:统一|工作)?部署")
_RANGE_SEP_RE = re.compile(r"^\s*(至|到|—|-|~|–)\s*$")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE_RE = re.compile(r"(?<!\d)(?:(0\d{2,3})\s*[-—–]?\s*)?(\d{7,8})(?!\d)")
_POSTCODE_RE = re.compile(r"(?:邮编|邮政编码)\s*:?\s*(\d{6})(?!\d)")
_ADDRESS_RE = re.compile(r"(?:邮政信箱|通讯地址|通信地址|来信地址|地址)\s*:?\s*([^;,。]+?)(?=[;,。]|邮编|邮政编码|电子|$)")
_TITLE_COMMITTEE_RE = re.compile(r"^(.{2,40}?(?:委员会|区委|县委|市委|州委|旗委|省委|党委|党组|党工委))关于")


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


def committee_from(text: str, signed: Span | None, title: Span | None, intro: str) -> tuple[Committee, list[str]]:
    """The inspected committee: as signed, else as named in the title."""
    warnings: list[str] = []
    committee = Committee()
    if signed:
        committee.name, committee.span = text[signed[0]:signed[1]], signed
    elif title:
        match = _TITLE_COMMITTEE_RE.match(text[title[0]:title[1]])
        if match:
            committee.name, committee.span = match.group(1), (title[0], title[0] + match.end(1))
    if committee.name is None:
        warnings.append("未找到落款党组织 (no signing committee found)")
        place = _inspected_place(intro)
        region, warning = lookup_region(place)
        committee.region = region
        if warning:
            warnings.append(warning)
        return committee, warnings
    committee.kind = committee_kind(committee.name)
    committee.short_name = short_name(committee.name, committee.kind)
    place = _place_of(committee.name)
    region, warning = lookup_region(place, _inspected_place(intro))
    committee.region = region
    if warning:
        warnings.append(warning)
    return committee, warnings


def committee_kind(name: str) -> str | None:
    core = name.removeprefix("中共").removeprefix("中国共产党")
    for suffix, kind in (("工作委员会", "党工委"), ("党工委", "党工委"), ("党组", "党组"), ("党委", "党委"),
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
    for suffix in ("工作委员会", "委员会", "党工委", "党委", "党组"):
        core = core.removesuffix(suffix)
    return core


def _inspected_place(intro: str) -> str:
    match = re.search(r"对(?:中共)?(.{2,30}?)(?:党委|区委|县委|市委|党组|党工委)?(?:开展|进行)", intro)
    return match.group(1) if match else ""


def inspection_from(text: str, intro: Span) -> tuple[Inspection, list[str]]:
    """Group, round and dates from the introduction paragraph(s)."""
    warnings: list[str] = []
    body = text[intro[0]:intro[1]]
    inspection = Inspection(span=intro)
    group = _GROUP_RE.search(body)
    if group:
        inspection.group = group.group(1)
        inspection.by = group.group(2)
        inspection.ordinal = to_int(group.group(3))
        inspection.kind = group.group(4)
    else:
        kinds = re.findall(r"巡视|巡察", body)
        inspection.kind = kinds[0] if kinds else None
        warnings.append("未找到巡视/巡察组 (no inspection group named)")
    if inspection.by is None:
        by = _BY_RE.search(body)
        inspection.by = by.group(1) if by else None
    rnd = _ROUND_RE.search(body)
    if rnd:
        inspection.round = rnd.group(0)
    _inspection_dates(body, inspection, warnings)
    return inspection, warnings


def _inspection_dates(body: str, inspection: Inspection, warnings: list[str]) -> None:
    dates = find_dates(body)
    used: set[int] = set()
    for i in range(len(dates) - 1):
        between = body[dates[i].end:dates[i + 1].start]
        if _RANGE_SEP_RE.match(between):
            inspection.start, inspection.end = dates[i].date, dates[i + 1].date
            used |= {i, i + 1}
            break
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
