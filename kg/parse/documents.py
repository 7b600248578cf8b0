"""Policy documents named in 《》: nested titles, 文号, kind and the governing verb.

《贯彻落实〈党委(党组)落实全面从严治党主体责任规定〉实施意见》 names two documents;
a 文号 written beside a title (鲁纪发〔2013〕8号) belongs to it; the verb nearest before
the title in its clause says whether the measure formulated, applied or only mentioned it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.model import Document, Mention, Span

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
