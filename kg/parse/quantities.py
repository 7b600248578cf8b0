"""Quantities: every number with its unit and what it counts (立案13件, 追回资金146万元, 完成率98.71%).

Why: the figures a journalist or researcher compares across regions (people disciplined, money
recovered, rules written, completion rates) are written in the reports' sentences but carried by
no item of the model. This module finds them in any text with their exact spans, so each one can
be traced back to its sentence like every other item.

Rules are by class, never by sentence: a number (Arabic, or Chinese through cn2an) followed by an
optional scale (万/亿/千), an optional 余/多 and a measure word from a closed list; dates, ordinals
(第五), document numbers (〔2021〕3号), numbering markers (一是, (一)), phone numbers, numbers inside
《》 titles and short quoted slogans, and names containing numbers (十九大, 三重一大, 八项规定) are not
quantities. The kind is read from the counted noun after the unit and the verb before the number.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from kg.model import Quantity

KINDS = (
    "cases_opened", "people_disciplined", "people_accountable", "admonition_talks",
    "organisational_handling", "transferred_to_judiciary", "money", "rules", "meetings",
    "inspections", "trainings", "people_trained", "completion_count", "completion_rate",
    "problem_count", "task_count", "other_count",
)


# Full-width forms mapped one to one (same length), so spans found in the mapped text are exact
# in the original whatever form the file uses.
_FULL_WIDTH = re.compile("[０-９．％]")
_WIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")

# Measure words, longest first so 人次 wins over 人 and 个百分点 over 个.
_UNITS = sorted({
    "个百分点", "个工作日", "个班次", "个方面", "个月", "平方公里", "平方米", "立方米", "公里", "公顷",
    "家次", "人次", "批次", "场次", "条次", "台次", "天次", "户次", "件次", "大类",
    "个", "项", "条", "次", "人", "名", "件", "家", "期", "份", "宗", "所", "套", "场", "处", "户",
    "批", "轮", "类", "座", "支", "本", "块", "起", "辆", "种", "组", "村", "办", "岁", "天", "小时",
    "年", "米", "亩", "吨", "间", "栋", "台", "张", "篇", "册", "部门", "部", "位", "笔", "棵", "株",
    "元", "万元", "亿元", "千元", "%", "倍", "方面", "大", "届", "片", "段", "站", "所", "家庭",
    "余元",
}, key=len, reverse=True)

_CN_NUM = "〇零一二三四五六七八九十百千两"
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{_CN_NUM}]+)"
_PATTERN = re.compile(
    rf"(?=[\d{_CN_NUM}])"  # a digit or numeral opens every match: positions without one fail at once
    rf"(?P<low>\d+(?:\.\d+)?[-~～])?"
    rf"(?P<num>{_NUMBER})"
    rf"(?P<scale>万亿|亿|万|千)?"
    rf"(?P<approx>余|多)?"
    rf"(?P<scale2>万|亿)?"
    rf"(?=[{''.join(sorted({u[0] for u in _UNITS}))}])"  # the unit's first character, checked before the alternatives
    rf"(?P<unit>{'|'.join(map(re.escape, _UNITS))})"
)

# Names and slogans with numbers in them; a number inside one of these is not a quantity.
_NAMES = re.compile(
    r"[十二]?[一二三四五六七八九十]大(?=精神|以来|报告|召开|代表|胜利|和|及|、|会议|重要)|"
    r"三重一大|八项规定|四个意识|四个自信|两个维护|两个确立|两个责任|两学一做|三会一课|四风|"
    r"五位一体|四个全面|一岗双责|三严三实|六稳|六保|两委|一把手|一盘棋|一张网|一网通办|"
    r"一件事|一次性|一站式|一揽子|[一二三四五]级|\d+强|\d+G|\d+热线|十[一二三四五六七八九]?五|"
    r"[一二三四五六七八九十]+年行动|大干\d+天|黄金\d+条|\d+年度|\d+月份|"
    r"近[一二三四五六七八九十\d]+年|每[半一二三四五六七八九十\d]*[年月周天季]|第[一二三四五六七八九十百\d]+"
)

# A Chinese-numeral 一 with a measure word is rhetorical (一项, 一次, 一批) in these reports.
_CN_ONE = {"一"}
_DIGIT_PAIR = re.compile("[一二三四五六七八九两]{2}")
_PHONE = re.compile(r"\d{3,4}-\d{7,8}|\d{7,}")


@dataclass
class _Match:
    start: int
    end: int
    num_start: int
    num_end: int
    value: Decimal
    unit: str
    approx: bool


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text`` with its span; spans index ``text`` itself."""
    mapped = text.translate(_WIDTH) if _FULL_WIDTH.search(text) else text
    found: list[Quantity] = []
    for m in _PATTERN.finditer(mapped):
        match = _read(m, mapped)
        if match is None or _blocked(mapped, match.num_start, match.num_end):
            continue
        kind = classify(mapped, match)
        if match.unit in ("大",) and kind == "other_count" and not _major_class(mapped, match):
            continue
        found.append(Quantity(kind=kind, value=_plain(match.value), unit=_unit_name(match.unit, kind),
                              quote=text[match.start:match.end], span=(match.start, match.end),
                              approx=match.approx, number_span=(match.num_start, match.num_end)))
    return found


def _plain(value: Decimal) -> float:
    """A Decimal as a number for JSON: an int when integral (12, not 12.0), else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


def _unit_name(unit: str, kind: str) -> str:
    """Money is always in yuan; other units as written."""
    return "元" if kind == "money" else unit


def _read(m: re.Match[str], text: str) -> _Match | None:
    """The match as a quantity, or None when it is a date, ordinal, marker or phone number."""
    num = m.group("num")
    num_start, num_end = m.span("num")
    unit = m.group("unit")
    if m.group("low"):
        num_start = m.start("low")  # a range (10-20个) is one item valued at its upper bound
    if _not_a_count(text, num, num_start, num_end, unit):
        return None
    value = _number(num)
    if value is None:
        return None
    scale = m.group("scale") or m.group("scale2") or ""
    if unit in ("万元", "亿元", "千元"):
        scale, unit = scale + unit[0], "元"
    value *= _SCALES.get(scale, Decimal(1))
    pre = next((p for p in _PREFIXES if text.endswith(p, 0, num_start)), "") \
        if text.endswith(_PREFIXES, 0, num_start) else ""  # one C call for the usual number with none
    approx = bool(m.group("approx")) or pre in ("约", "近")
    start = num_start - len(pre)
    return _Match(start, m.end(), num_start, num_end, value, unit, approx)


# Words qualifying the number, kept in the quote: 约/近 make it approximate, the others are bounds.
# Read backwards from the number rather than matched in the pattern, whose first character is
# then always a digit (a pattern opening with alternatives is tried at every character: slow).
_PREFIXES = ("不少于", "超过", "突破", "不到", "至少", "达到", "约", "近", "超")

_SCALES = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1000),
           "万亿": Decimal(10**12)}


def _not_a_count(text: str, num: str, start: int, end: int, unit: str) -> bool:
    """Dates, ordinals, document numbers, markers and digits glued to other digits or letters."""
    before = text[start - 1] if start else ""
    after_unit = text[end + len(unit): end + len(unit) + 1]
    if before.isascii() and (before.isalnum() or before in ".-/") and before != "":
        return True  # part of a longer token (a code, a decimal, a phone number)
    if before in "第〔-—~～届" or (before == "至" and unit == "年"):
        return True
    if unit == "笔" and text[end + 1: end + 2] == "账":
        return True  # 两笔账 is an idiom
    if unit == "村" and not num.isascii():
        return True  # 土门四村 is a place name
    if num in _CN_ONE:
        return True
    if not num.isascii():
        if num[0] in "千百零〇" or (before and before in _CN_NUM) or _DIGIT_PAIR.search(num):
            return True  # not a well-formed numeral (唯一一家, 零部件)
        if before == "、" and text[start - 2: start - 1] in _CN_NUM:
            return True  # 二、三类: an enumeration of ordinal classes
    if unit == "年":
        return not _duration_year(text, start, end, num)
    if unit in ("届",):
        return True
    if unit == "个" and text[end + 1: end + 2] == "是":
        return True
    if unit in ("天", "个月", "小时") and after_unit == "来":
        return True
    return False


def _duration_year(text: str, start: int, end: int, num: str) -> bool:
    """N年 is a duration only with 连续/用/历时 before or 内/时间 after, and a small number."""
    if num.isascii() and len(num) >= 3:
        return False
    after = text[end + 1: end + 3]
    before = text[max(0, start - 2): start]
    return before.endswith(("连续", "用", "历时")) or after.startswith(("内", "时间", "以上"))


def _major_class(text: str, match: _Match) -> bool:
    """N大 counts major classes (三大产业, 6大园区) when a noun follows; 大会/大力/大批 are words."""
    nxt = text[match.end: match.end + 1]
    return bool(nxt) and "\u4e00" <= nxt <= "\u9fff" and nxt not in "会力批量幅型局事家众型"


@lru_cache(maxsize=4096)
def _number(num: str) -> Decimal | None:
    """Arabic or Chinese numeral as a Decimal (cn2an for Chinese: 二十七, 两, 三千)."""
    if num.isascii():
        try:
            return Decimal(num)
        except InvalidOperation:
            return None
    import cn2an  # slow to import: loaded by the first Chinese numeral

    try:
        value = cn2an.cn2an(num, "smart")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    return Decimal(str(value))


def _blocked(text: str, start: int, end: int) -> bool:
    """Whether the number at [start, end) stands in a name, a 《》 title, a 〔〕 number, a short quote,
    a date or a phone number. Looked at around the number only, so the cost follows the numbers
    found, not the length of the text."""
    if _enclosed(text, start, "《", "》", 200) or _enclosed(text, start, "〔", "〕", 12):
        return True
    if _enclosed(text, start, "“", "”", 10) or _enclosed(text, start, "‘", "’", 10):
        return True
    lo = max(0, start - 12)
    window = text[lo:end + 12]
    return any(m.start() + lo <= start and end <= m.end() + lo
               for m in _NOT_COUNTS.finditer(window))


def _enclosed(text: str, at: int, opening: str, closing: str, longest: int) -> bool:
    """Whether ``at`` lies between an opening mark and its closing one at most ``longest`` apart."""
    left = text.rfind(opening, max(0, at - longest), at)
    if left < 0 or text.rfind(closing, left, at) >= 0:
        return False
    right = text.find(closing, at, left + longest + 2)
    return right >= 0


_DATES = re.compile(r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日")
# One pass per number; every alternative opens with one of the lookahead's characters, so the scan skips the
# other positions at once.
_NOT_COUNTS = re.compile(r"(?=[\d一二三四五六七八九十两大黄近每第])(?:"
                         + "|".join(p.pattern for p in (_NAMES, _PHONE, _DATES)) + ")")


# --- kinds ---------------------------------------------------------------------------------

_RATE_WORDS = re.compile(r"完成率|办结率|化解率|整改率|销号率|解决率|整改完成|完成整改|整改到位")
_OTHER_RATE = re.compile(r"开工率|巡河率|听证率|增长|下降|提高|提升|占比|比重|同比|压缩|超过|覆盖率")


def classify(text: str, match: _Match) -> str:
    """The kind of a quantity, from its unit, the counted noun after it and the verb before it."""
    before = text[max(0, match.start - 14): match.start]
    after = text[match.end: match.end + 8]
    near_before = text[max(0, match.start - 6): match.start]
    unit = match.unit
    if unit == "元":
        return "money"
    if unit in ("%",):
        return _rate_kind(before, after)
    for kind in (_discipline_kind(before, after, unit), _activity_kind(before, after, unit),
                 _count_kind(before, near_before, after, unit)):
        if kind:
            return kind
    return "other_count"


def _rate_kind(before: str, after: str) -> str:
    """A percentage is a completion rate only when it is said of completion or resolution."""
    context = before[-10:] + after[:4]
    if _OTHER_RATE.search(before[-6:]) or _OTHER_RATE.search(after[:4]):
        return "other_count"
    return "completion_rate" if _RATE_WORDS.search(context) else "other_count"


def _discipline_kind(before: str, after: str, unit: str) -> str | None:
    """Accountability figures: 立案 N件, 处分 N人, 问责, 诫勉谈话, 组织处理, 移送司法."""
    if unit in ("件", "起") and "立案" in before:
        return "cases_opened"
    if unit not in ("人", "名", "人次"):
        return None
    context = before + after[:6]
    for words, kind in (("处分", "people_disciplined"), ("移送司法", "transferred_to_judiciary"),
                        ("诫勉", "admonition_talks"), ("问责", "people_accountable"),
                        ("追责", "people_accountable")):
        if words in context:
            return kind
    return None


_CLAUSE_END = re.compile(r"[,,。;;、]")
_MEETING = re.compile(r"常委会|专题会|推进会|民主生活会|调度|对接会|听证会|会议|座谈会|组织生活|专题研究|办公会|例会|研讨")
_INSPECT = re.compile(r"督查|检查|督导|巡查|暗访|查核|审计|抽查|核查|督办")
_TRAIN = re.compile(r"培训|轮训|讲座|讲堂|辅导|宣讲|学习班|专题班|教育")


def _activity_kind(before: str, after: str, unit: str) -> str | None:
    """Meetings, inspections, trainings and people trained, from the activity word near the number."""
    near_after = _CLAUSE_END.split(after, maxsplit=1)[0]
    if unit in ("人次", "人", "名") and _TRAIN.search(before[-12:] + near_after):
        return "people_trained"
    if unit in ("期", "班次", "个班次", "场次") and _TRAIN.search(before[-8:] + near_after):
        return "trainings"
    if unit not in ("次", "场", "轮", "家次", "批次", "场次"):
        return None
    if before.endswith("会"):
        return "meetings"  # 领导小组会3次
    for pattern, kind in ((_MEETING, "meetings"), (_INSPECT, "inspections"), (_TRAIN, "trainings")):
        if pattern.search(near_after):
            return kind
    for pattern, kind in ((_MEETING, "meetings"), (_INSPECT, "inspections"), (_TRAIN, "trainings")):
        if pattern.search(before[-8:]):
            return kind
    return None


_DONE_BEFORE = re.compile(r"(?:已|基本|未|尚未)(?:整改)?完成$")
_DONE_AFTER = re.compile(r"[^\d,,。;;]{0,6}?(?:未整改到位|已整改完成|整改完成|正在[^\d,,。;;]{0,3}推进|取得阶段性成效|长期坚持|未完成)")
_COUNTED = {"问题": "problem_count", "任务": "task_count", "措施": "task_count", "制度": "rules"}
_COUNTED_AFTER = re.compile(r"[^,,。;;、\d]{0,4}?(问题|任务|措施|制度)")
_COUNTED_BEFORE = re.compile(r"(问题|任务|措施|制度)$")


def _count_kind(before: str, near_before: str, after: str, unit: str) -> str | None:
    """Counts of problems, tasks, rules and completed items, by the counted noun.

    Only units that count items (个, 项, 条, 件, 类, 方面) count problems, tasks or rules: 家, 人
    and 名 count bodies and people even when 问题 follows (93家企业反映问题).
    """
    if unit not in ("个", "项", "条", "件", "类", "大类", "方面", "个方面"):
        return None
    if _DONE_BEFORE.search(near_before) or _DONE_AFTER.match(after + " " * 4):
        return "completion_count"
    if "方面" in unit or unit in ("类", "大类"):
        return "problem_count" if "问题" in before[-8:] + after[:6] else None
    counted = _COUNTED_AFTER.match(after)
    if counted is None:
        counted = _COUNTED_BEFORE.search(near_before)
    return _COUNTED[counted.group(1)] if counted else None


def quantities_in(text: str, start: int, end: int, found: list[Quantity] | None = None) -> list[Quantity]:
    """Quantities inside text[start:end], spans into ``text``. Pass ``found`` (find_quantities of the
    whole text, in order) to pick from it instead of reading again: a report is read once and its
    quantities handed out to its measures and problems, and a number's context may then reach
    across an item's edge, as it does when a person reads it."""
    if found is None:
        return [replace(q, span=(q.span[0] + start, q.span[1] + start),
                        number_span=(q.number_span[0] + start, q.number_span[1] + start) if q.number_span else None)
                for q in find_quantities(text[start:end])]
    first = bisect_left(found, start, key=lambda q: q.span[0])
    out = []
    for q in found[first:]:
        if q.span[0] >= end:
            break
        if q.span[1] <= end:
            out.append(q)
    return out


# --- concreteness --------------------------------------------------------------------------

# The lookaheads hold the characters every alternative opens with: a search skips other positions at once.
_DATE = re.compile(r"(?=\d)(?:\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日|\d{1,2}月(?:底|中旬|上旬|下旬|份)|\d{4}年(?:底|上半年|下半年|年底))")
_TITLE = re.compile(r"《[^《》]*》")
_DEADLINE = re.compile(r"(?=[底日月年之限时截期按如\d])"
                       r"(?:(?:底|日|月|年)前|之前完成|限期|时限|截至|截止|期限|按期完成|如期完成|\d+(?:个)?(?:工作日|天|小时|个月)内)")


def concreteness(text: str, quantities: list[Quantity], documents: list[str],
                 organizations: list[str]) -> list[str]:
    """Why a measure is concrete: the kinds of checkable fact it carries, in a fixed order.

    A measure that names a number, a document, a body, a date or a deadline can be checked;
    one that names none of them (坚决扛起整改责任) is boilerplate.
    """
    reasons = []
    if quantities:
        reasons.append("quantity")
    if documents:
        reasons.append("document")
    if organizations:
        reasons.append("organisation")
    if "《" in text:  # a date or 按期 inside a document's title is the document's, not the measure's
        text = _TITLE.sub("", text)
    if _DATE.search(text):
        reasons.append("date")
    if _DEADLINE.search(text):
        reasons.append("deadline")
    return reasons
