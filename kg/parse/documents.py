"""Policy documents named in 《》: nested titles, 文号, kind and the governing verb.

《贯彻落实〈党委(党组)落实全面从严治党主体责任规定〉实施意见》 names two documents;
a 文号 written beside a title (鲁纪发〔2013〕8号) belongs to it; the verb nearest before
the title in its clause says whether the measure formulated, applied or only mentioned it.
A document's scope (numbered by its 文号, shared by the nation, or one region's own) and its
issuer (from the 文号's prefix) are read from its title and 文号 here too; kg.rdf maps them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.model import Document, Mention, Span
from kg.parse.region import lookup_region

_OPEN = {"《": "》", "〈": "〉", "<": ">"}
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,14}\s*[〔\[【(]\s*(?:19|20)\d{2}\s*[〕\]】)]\s*(?:第\s*)?\d{1,4}\s*号")
_FORMULATES = ("研究制定", "制定下发", "制定出台", "修订完善", "修改完善", "制定", "制订", "出台", "印发", "修订", "修改", "编制",
               "起草", "制发", "下发", "拟定", "拍摄", "摄制")
_APPLIES = ("贯彻落实", "严格执行", "落实", "依据", "按照", "贯彻", "执行", "学习", "根据", "对照", "遵照", "遵循",
            "依照", "参照", "运用", "用好")
_MENTIONS = ("替代", "取代", "废止", "原有", "刊登", "报道", "推广")  # verbs that neither make nor apply
_CLAUSE_BREAK = "。;!?:,\n"
# Title endings that tell a document's kind, longest first; value is the kind.
_KINDS = [
    ("实施细则", "细则"), ("实施办法", "办法"), ("实施意见", "意见"), ("实施方案", "方案"), ("警示教育片", "警示教育片"),
    ("警示录", "警示教育片"), ("条例", "条例"), ("规定", "规定"), ("办法", "办法"), ("意见", "意见"), ("方案", "方案"),
    ("通知", "通知"), ("细则", "细则"), ("规划", "规划"), ("清单", "清单"), ("协议", "协议"), ("规则", "规则"),
    ("制度", "制度"), ("纲要", "纲要"), ("计划", "计划"), ("要点", "要点"), ("决定", "决定"), ("准则", "准则"),
    ("指引", "指引"), ("指南", "指南"), ("手册", "手册"), ("目录", "目录"), ("报告", "报告"), ("通报", "通报"),
    ("预案", "预案"), ("机制", "机制"), ("标准", "标准"), ("公告", "公告"), ("章程", "章程"), ("党章", "章程"),
    ("守则", "守则"), ("流程", "流程"), ("体系", "体系"), ("提醒函", "函"), ("函", "函"), ("表", "表"), ("书", "书"),
]
_TRAILING_NOTE_RE = re.compile(r"\((?:试行|暂行|修订|征求意见稿|草案)\)$")
_SHARED_PREFIXES = ("中国共产党", "中共中央", "中央", "国务院", "全国", "中华人民共和国", "习近平", "党政领导干部",
                    "关于新形势下", "党章", "中共中央办公厅")
_SHARED_KINDS = {"条例", "准则", "纲要", "章程"}
_LOCAL_WORDS_RE = re.compile(r"全区|我区|本区|全县|我县|全市|我市|本市|全省|区委|县委|市委|开发区|高新区|街道|"
                             r"[\u4e00-\u9fff]{1,8}(省|市|区|县|州|旗)(?!场|委会|域|别|分|间|长)")
# 文号 prefixes that tell the issuer. Central bodies first; then one-character province abbreviations.
_CENTRAL_ISSUERS = {"中发": "中共中央", "中办发": "中共中央办公厅", "国发": "国务院", "国办发": "国务院办公厅",
                    "中组发": "中共中央组织部", "中纪发": "中央纪委", "中宣发": "中共中央宣传部", "厅字": "中共中央办公厅"}
_PROVINCE_ABBR = {"京": "北京市", "津": "天津市", "沪": "上海市", "渝": "重庆市", "冀": "河北省", "晋": "山西省",
                  "辽": "辽宁省", "吉": "吉林省", "黑": "黑龙江省", "苏": "江苏省", "浙": "浙江省", "皖": "安徽省",
                  "闽": "福建省", "赣": "江西省", "鲁": "山东省", "豫": "河南省", "鄂": "湖北省", "湘": "湖南省",
                  "粤": "广东省", "琼": "海南省", "川": "四川省", "蜀": "四川省", "贵": "贵州省", "黔": "贵州省",
                  "云": "云南省", "滇": "云南省", "陕": "陕西省", "秦": "陕西省", "甘": "甘肃省", "陇": "甘肃省",
                  "青": "青海省", "蒙": "内蒙古自治区", "桂": "广西壮族自治区", "藏": "西藏自治区",
                  "宁": "宁夏回族自治区", "新": "新疆维吾尔自治区"}
_PROVINCE_BODIES = {"纪发": "纪委", "发": "省委", "办发": "省委办公厅", "组发": "省委组织部", "政发": "人民政府",
                    "政办发": "人民政府办公厅", "宣发": "省委宣传部"}


@dataclass
class TitleMention:
    title: str
    span: Span  # the title text, inside its brackets
    outer: Span  # including the brackets
    number: str | None
    relation: str


def find_titles(text: str, start: int = 0, end: int | None = None) -> list[TitleMention]:
    """Every bracketed title in text[start:end], outer titles before the inner ones."""
    end = len(text) if end is None else end
    out: list[TitleMention] = []
    pos = start
    while True:
        pos = text.find("《", pos, end)
        if pos == -1:
            break
        close = _matching(text, pos, end)
        if close is None:
            pos += 1
            continue
        _collect(text, pos, close, out, outer_relation=None)
        pos = close + 1
    return out


def _matching(text: str, open_pos: int, end: int) -> int | None:
    """Index of the bracket closing the one at open_pos, honouring nesting on one line."""
    stack = [_OPEN[text[open_pos]]]
    for i in range(open_pos + 1, min(end, open_pos + 200)):
        ch = text[i]
        if ch == "\n":
            return None
        if ch in _OPEN and (ch != "<" or stack[-1] != ">"):
            stack.append(_OPEN[ch])
        elif ch == stack[-1]:
            stack.pop()
            if not stack:
                return i
    return None


def _collect(text: str, open_pos: int, close: int, out: list[TitleMention], outer_relation: str | None) -> None:
    title_span = (open_pos + 1, close)
    title = text[title_span[0]:title_span[1]].strip()
    if not title:
        return
    number = _number_near(text, open_pos, close)
    if outer_relation is None:
        relation = relation_before(text, open_pos)
    elif text[open_pos - 1] == "《":  # 《〈X〉实施意见》: X is governed like the outer title
        relation = outer_relation
    else:
        relation = _inner_relation(text, open_pos)
    out.append(TitleMention(title, title_span, (open_pos, close + 1), number, relation))
    i = open_pos + 1
    while i < close:
        if text[i] in _OPEN:
            inner_close = _matching(text, i, close)
            if inner_close is not None:
                _collect(text, i, inner_close, out, outer_relation=relation)
                i = inner_close + 1
                continue
        i += 1


def _inner_relation(text: str, open_pos: int) -> str:
    """An inner title is governed by the verb inside the outer title (贯彻落实〈…〉), else mentioned."""
    left = text[max(0, open_pos - 6):open_pos]
    return "applies" if any(left.endswith(v) for v in _APPLIES) else "mentions"


def _number_near(text: str, open_pos: int, close: int) -> str | None:
    after = re.match(r"\s*[(]?\s*(" + DOC_NUMBER_RE.pattern + r")\s*[)]?", text[close + 1:close + 40])
    if after:
        return re.sub(r"\s+", "", after.group(1))
    before = DOC_NUMBER_RE.search(text, max(0, open_pos - 30), open_pos)
    if before and before.end() == open_pos:
        return _trim_issuer(re.sub(r"\s+", "", before.group(0)))
    return None


_BEFORE_ISSUER_RE = re.compile("|".join(sorted(_FORMULATES + _APPLIES + ("是", "和", "及", "与", "、", "的", "了", "在", "将"),
                                               key=len, reverse=True)))


def _trim_issuer(number: str) -> str:
    """Cut what stands before the issuer: 一是严格执行云卫健发〔2021〕12号 -> 云卫健发〔2021〕12号."""
    bracket = re.search(r"[〔\[【(]", number)
    issuer_end = bracket.start() if bracket else 0
    cuts = [m.end() for m in _BEFORE_ISSUER_RE.finditer(number, 0, issuer_end) if m.end() < issuer_end]
    return number[max(cuts):] if cuts else number


def relation_before(text: str, open_pos: int) -> str:
    """formulates / applies / mentions, from the verb nearest before the title in its clause."""
    clause_start = max(text.rfind(ch, 0, open_pos) for ch in _CLAUSE_BREAK) + 1
    clause = _blank_titles(text[clause_start:open_pos])
    best: tuple[int, str] = (-1, "mentions")
    for verbs, relation in ((_FORMULATES, "formulates"), (_APPLIES, "applies"), (_MENTIONS, "mentions")):
        for verb in verbs:
            start = _last_verb(clause, verb)
            if start > best[0]:  # on a tie the earlier relation (then verb) stands
                best = (start, relation)
    return best[1]


def _last_verb(clause: str, verb: str) -> int:
    """Where the verb last stands in the clause as a verb, or -1: 按照2020年制定的《…》 has 制定
    as an attribute (followed by 的), not as the verb governing the title."""
    end = len(clause)
    while (start := clause.rfind(verb, 0, end)) >= 0:
        if not clause.startswith("的", start + len(verb)):
            return start
        end = start + len(verb) - 1  # an earlier occurrence may overlap this one's end
    return -1


def _blank_titles(clause: str) -> str:
    """Hide the text of earlier titles so verbs inside them do not count."""
    return re.sub(r"《[^》]*》", lambda m: "《" + " " * (len(m.group(0)) - 2) + "》", clause)


def document_kind(title: str) -> str | None:
    core = _TRAILING_NOTE_RE.sub("", title.strip())
    for ending, kind in _KINDS:
        if core.endswith(ending):
            return kind
    return None


def collect_documents(mentions: list[TitleMention]) -> list[Document]:
    """One Document per (title, 文号); a title seen once with a 文号 keeps it for all mentions."""
    numbers: dict[str, str] = {}
    for mention in mentions:
        if mention.number:
            numbers.setdefault(mention.title, mention.number)
    documents: dict[tuple[str, str | None], Document] = {}
    for mention in mentions:
        number = mention.number or numbers.get(mention.title)
        key = (mention.title, number)
        if key not in documents:
            documents[key] = Document(title=mention.title, number=number, kind=document_kind(mention.title))
        documents[key].mentions.append(Mention(span=mention.span, relation=mention.relation))
    return list(documents.values())


def scope_of(document: Document) -> str:
    """'numbered' when the document has a 文号 (one document wherever it is cited), else its title's scope."""
    return "numbered" if document.number else document_scope(document.title)


@lru_cache(maxsize=65536)
def document_scope(title: str) -> str:
    """'shared' for national regulations and books cited by many; 'local' for a region's own.

    Every region issues its own 《关于激励干部担当作为的实施意见》, so a title is local
    unless it is national by its opening words, or is a regulation/book that names no place.
    """
    if title.startswith(_SHARED_PREFIXES):
        return "shared"
    names_place = bool(_LOCAL_WORDS_RE.search(title)) or lookup_region(title)[0].code is not None
    kind = document_kind(title)
    if not names_place and (kind in _SHARED_KINDS or kind is None):
        return "shared"
    return "local"


def issuer_of(number: str | None) -> str | None:
    """The issuing body from a 文号 prefix: 鲁纪发〔2013〕8号 -> 山东省纪委."""
    if not number:
        return None
    prefix = re.split(r"[〔\[【(]", number, maxsplit=1)[0]
    if prefix in _CENTRAL_ISSUERS:
        return _CENTRAL_ISSUERS[prefix]
    if len(prefix) >= 2 and prefix[0] in _PROVINCE_ABBR and prefix[1:] in _PROVINCE_BODIES:
        province = _PROVINCE_ABBR[prefix[0]]
        body = _PROVINCE_BODIES[prefix[1:]]
        return f"中共{province}{body}" if body.startswith(("纪委", "省委")) else f"{province}{body}"
    return None
