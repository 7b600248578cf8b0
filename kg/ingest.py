"""Ingest: a file on disk becomes one canonical report text.

Three steps, each a function: decode the bytes (recording the encoding), normalise
character forms, and cut the report out of the page around it (keeping 来源/发布时间
values as metadata). Every span the parser produces refers to the text returned here.
"""

from __future__ import annotations

import errno
from html import unescape
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from collections import Counter
from collections.abc import Callable
from typing import Any

import charset_normalizer

from kg.exceptions import IngestError, NoReportError
from kg.parse.outline import leading_markers

# Characters NFKC would flatten although they carry structure in these reports:
# circled numbers are list markers (NFKC turns ① into "1"), the ellipsis is punctuation.
# circled numbers and letters keep their form (① is a numbering style of its own); ⑴ and ⒈ become (1) and 1.
_PROTECTED = {chr(c) for c in range(0x2460, 0x2473 + 1)} | {chr(c) for c in range(0x24B6, 0x24FF + 1)} \
    | {chr(c) for c in range(0x3251, 0x32BF + 1)}
_PROTECTED |= {"…", "‥"}

_MAGIC = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"%PDF": "PDF document",
    b"PK\x03\x04": "ZIP archive (or Office document)",
    b"\xd0\xcf\x11\xe0": "Office document",
    b"\x7fELF": "executable",
}

_MAX_CONTROL_RATIO = 0.01
#: zero-width characters go; a stray NUL (a binary file has them early) becomes a space: SQLite's indexes stop at one
_INVISIBLE: dict[int, str | None] = {**dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None), 0: " "}
# Unicode category Cc is exactly U+0000-001F and U+007F-009F; tab, newlines and feeds are text.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


@dataclass
class CanonicalText:
    """The report cut out of its page, in canonical character forms."""

    path: str
    sha256: str
    encoding: str
    size: int
    text: str
    metadata: dict[str, str] = field(default_factory=dict)
    dropped_lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_report(path: str | Path) -> CanonicalText:
    """Read a report file and return its canonical text, or raise IngestError."""
    path = Path(path)
    data = read_file_bytes(path)
    warnings: list[str] = []
    text, encoding = decode_bytes(data, path, warnings)
    result = canonicalize(text, path=str(path), sha256=hashlib.sha256(data).hexdigest(),
                          encoding=encoding, size=len(data))
    result.warnings[:0] = warnings
    return result


# Reports are 10-80 KB; saved pages with inline scripts reach a few MB. Far larger files are
# dumps or several reports run together, and would be parsed as one wrong report.
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_REPORT_CHARS = 300_000

_NOT_REGULAR = ((stat.S_ISFIFO, "命名管道 (a FIFO)"), (stat.S_ISCHR, "字符设备 (a character device)"),
                (stat.S_ISBLK, "块设备 (a block device)"), (stat.S_ISSOCK, "套接字 (a socket)"))


def read_file_bytes(path: str | Path) -> bytes:
    """The bytes of a report file, or IngestError saying why not. Only regular files are read: a
    FIFO or a device would block or never end, so it is refused before it is opened for reading
    (and opened without blocking, should it have become one in between)."""
    path = Path(path)
    try:
        info = os.stat(path)
        _check_kind(info, path)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            _check_kind(os.fstat(handle.fileno()), path)
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise IngestError(f"文件过大 (file too large for a report: over {MAX_FILE_BYTES / 1e6:.0f} MB)", path)
        return data
    except FileNotFoundError:
        if os.path.islink(path):
            raise IngestError("符号链接指向不存在的文件 (dangling symbolic link)", path) from None
        raise IngestError("文件不存在 (no such file)", path) from None
    except PermissionError:
        raise IngestError("无读取权限 (permission denied)", path) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IngestError("符号链接循环 (symbolic link loop)", path) from None
        raise IngestError(f"无法读取 (cannot read: {exc.strerror or exc})", path) from None


def _check_kind(info: os.stat_result, path: Path) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise IngestError("是目录而不是文件 (a directory, not a file)", path)
    for test, what in _NOT_REGULAR:
        if test(info.st_mode):
            raise IngestError(f"不是普通文件: {what} (not a regular file)", path)
    if info.st_size > MAX_FILE_BYTES:
        raise IngestError(f"文件过大 (file too large for a report: {info.st_size / 1e6:.1f} MB, "
                          f"limit {MAX_FILE_BYTES / 1e6:.0f} MB)", path)


def decode_bytes(data: bytes, path: str | Path = "<bytes>", warnings: list[str] | None = None) -> tuple[str, str]:
    """Decode report bytes; return (text, encoding name).

    BOMs decide first; valid UTF-8 is taken as UTF-8 (unambiguous at report length), and so is
    UTF-8 with a few invalid bytes (a page cut mid-character: they become U+FFFD, with a line in
    ``warnings``); NUL bytes mean UTF-16/32 without a BOM when charset-normalizer says so, else a
    binary file; anything else is left to charset-normalizer, which covers GB18030/GBK and friends.
    """
    if not data.strip():
        raise IngestError("空文件 (empty file)", path)
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise IngestError(f"二进制文件，不是文本 (binary file: {what})", path)
    if data.startswith(b"\xef\xbb\xbf"):
        return _utf8(data[3:], path, warnings), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _checked(data.decode("utf-16"), path), "utf-16"
        except UnicodeDecodeError:
            raise IngestError("UTF-16 BOM but undecodable bytes (无法解码)", path) from None
    if b"\x00" in data[:4096]:
        wide = _without_bom(data)
        if wide is None:
            raise IngestError("二进制文件，不是文本 (binary file: contains NUL bytes)", path)
        return _checked(wide[0], path), wide[1]
    try:
        return _utf8(data, path, warnings), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise IngestError("无法识别编码 (undecodable bytes: no text encoding fits)", path)
    encoding = _encoding_name(best.encoding)
    text = _checked(_decode_as(data, encoding) or str(best), path)
    if not _has_cjk(text):
        raise IngestError(f"解码后没有中文 (decoded as {encoding} but holds no Chinese text)", path)
    return text, encoding


def _utf8(data: bytes, path: str | Path, warnings: list[str] | None) -> str:
    """UTF-8, strictly; or with its invalid bytes replaced when they are few (at most one a thousand
    characters, and never in a text that is not mostly valid UTF-8), else UnicodeDecodeError."""
    try:
        return _checked(data.decode("utf-8"), path)
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd") - data.count("\ufffd".encode())
        if bad > max(_FEW_BAD_BYTES, len(text) // 1000) or not _has_cjk(text):
            raise
    if warnings is not None:
        warnings.append(f"UTF-8 中有 {bad} 处无效字节, 已替换为 U+FFFD (invalid UTF-8 bytes replaced in {bad} "
                        f"places, e.g. a page cut mid-character)")
    return _checked(text, path)


_FEW_BAD_BYTES = 8


def _without_bom(data: bytes) -> tuple[str, str] | None:
    """Text in UTF-16 or UTF-32 without a BOM, as charset-normalizer recognises it (its NUL bytes
    would otherwise make it binary); None when it is not that."""
    best = charset_normalizer.from_bytes(data).best()
    if best is None or not best.encoding.lower().startswith(("utf_16", "utf_32")):
        return None
    encoding = _encoding_name(best.encoding)
    text = _decode_as(data[: len(data) - len(data) % (4 if "32" in encoding else 2)], encoding)
    return (text, encoding) if text and _has_cjk(text) else None


def _decode_as(data: bytes, encoding: str) -> str | None:
    """Decode with the named codec (GB18030 for GBK/GB2312: a superset that maps A1AA to the
    em dash — where Python's gbk codec gives the horizontal bar ―)."""
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _encoding_name(name: str) -> str:
    name = name.lower().replace("_", "-")
    return {"gb2312": "gb18030", "gbk": "gb18030"}.get(name, name)


def _checked(text: str, path: str | Path) -> str:
    controls = sum(1 for _ in _CONTROL_RE.finditer(text))
    if text and controls / len(text) > _MAX_CONTROL_RATIO:
        raise IngestError("二进制文件，不是文本 (binary content: control characters)", path)
    return text


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def normalize_chars(text: str) -> str:
    """Unify full-width/half-width forms (NFKC) but keep structural characters.

    《》〈〉〔〕 and Chinese quotes have no compatibility mapping, so NFKC keeps them;
    circled numbers and the ellipsis are protected explicitly.
    """
    table: dict[int, str | None] = {ord(ch): mapped for ch in set(text) if (mapped := _nfkc(ch)) is not None}
    table.update(_INVISIBLE)  # one pass: no NFKC form holds a zero-width character or a NUL
    return text.translate(table)


@lru_cache(maxsize=None)
def _nfkc(ch: str) -> str | None:
    """The NFKC form of one character where it differs and is not protected (cached: a corpus
    uses a few thousand distinct characters, each report re-uses most of them)."""
    if ch in _PROTECTED:
        return None
    mapped = unicodedata.normalize("NFKC", ch)
    return mapped if mapped != ch else None


# --- cutting the report out of its page -------------------------------------------

_META_KEYS = ("信息来源", "来源", "发布时间", "发布日期", "信息时间", "发稿时间", "发表时间", "发文日期", "日期", "时间", "作者", "编辑",
              "责任编辑", "字号", "阅读量", "阅读次数", "浏览次数", "点击数", "访问量", "浏览量")
_META_RE = re.compile(r"(" + "|".join(sorted(_META_KEYS, key=len, reverse=True)) + r")\s*[:]\s*")
# Site furniture: copyright and credits lines may be long; widget lines are short.
_FOOTER_RE = re.compile(r"版权所有|©|Copyright|ICP备|主办单位|承办单位|技术支持|Produced\s+By", re.IGNORECASE)
_WIDGET_RE = re.compile(
    r"分享到|扫一扫|打印本页|打印|关闭窗口|【\s*字体|字体\s*[:：]|相关阅读|相关文章|相关链接|上一篇|下一篇|当前位置|"
    r"网站地图|联系我们|返回顶部|责任编辑|推荐阅读|点击上方|关注我们|阅读原文|长按识别|二维码|在看|点赞|收藏")
_CAPTION_RE = re.compile(r"^(▲|△|图为|\(图|【图)")
_WIDGET_MAX, _FOOTER_MAX, _CAPTION_MAX = 40, 200, 120
_BREADCRUMB_RE = re.compile(r"^[^。,;]{1,40}?(>|>>|»|›)[^。,;]{1,60}$")
# ‹一>关于…方面, <二>…: a heading numbered in angle brackets, whose closing > is no breadcrumb separator.
_ANGLE_HEADING_RE = re.compile(r"^[‹〈<][一二三四五六七八九十百\d]{1,4}[>〉›]")
TITLE_RE = re.compile(r"(关于|的|委员会|党委|党组|党工委|工委|支部|总支|[区县市省州]委)\s?.{0,30}(巡视|巡察).{0,20}(通报|情况|公告|公示|报告)$")
_INTRO_RE = re.compile(r"(巡视|巡察)")
_DATE_ONLY_RE = re.compile(r"^(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*\S{1,3}\s*月\s*\S{1,3}\s*日$")
_SIGNATURE_RE = re.compile(r"(委员会|委|党委|党组|党工委|工委|党总支|总支部|支部|集团|公司)$")
_FRONT_MATTER_RE = re.compile(r"\A---\n.*?\n---\n", re.S)
_MD_HEADING_RE = re.compile(r"^#{1,6}\s*")
_MD_EMPHASIS_RE = re.compile(r"\*\*|__")


def canonicalize(raw: str, *, path: str = "<text>", sha256: str = "", encoding: str = "utf-8",
                 size: int = 0) -> CanonicalText:
    """Normalise characters, drop page noise and return the report text with metadata.

    A saved web page is first reduced to its main text (see ``page_text``)."""
    result = CanonicalText(path=path, sha256=sha256, encoding=encoding, size=size, text="")
    if looks_like_html(raw):
        raw = page_text(raw, result.metadata, path)
    else:
        raw = _without_escapes(raw)
    text = normalize_chars(raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = _FRONT_MATTER_RE.sub("", text)
    written = [(part, _clean_line(part)) for line in text.split("\n") for part in _paragraphs_of(line)]
    indented = [bool(_INDENT_RE.match(raw)) for raw, line in written if line]
    lines = _unwrapped([line for _, line in written if line], indented, result)
    kept = _strip_page(lines, result)
    result.text = "\n".join(kept)
    return result


_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,30});?")
_MD_ESCAPE_RE = re.compile(r"\\(?=[\\`*_{}\[\]()#+\-.!|>~])")  # html2text's 1\. and \*


def _without_escapes(text: str) -> str:
    """A text copied from a page's source or through html2text: its entities (&nbsp;, &emsp;, &#12290;) read as
    the characters they stand for, its Markdown escapes (1\\.) as the characters escaped."""
    if "&" in text:
        text = _ENTITY_RE.sub(lambda m: unescape(m.group(0)), text)
    return _MD_ESCAPE_RE.sub("", text) if "\\" in text else text


_PARAGRAPH_GAP_RE = re.compile(r"(?<=\S) {2,}(?=\S)")  # full-width spaces are spaces after NFKC
LONG_LINE = 150  # characters: a line this long holding gaps of spaces is paragraphs that lost their breaks


_HEADING_AFTER_SENTENCE_RE = re.compile(r"(?<=[。!?:])\s*(?=[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\)"
                                        r"|\d{1,2}\.(?!\d)|第[一二三四五六七八九十]{1,3}(?:部分|[,、]))")
RUN_ON_PAGE = 500  # characters: a line this long with headings inside is a page that lost every line break
MIN_RUN_ON_HEADINGS = 3


def _paragraphs_of(line: str) -> list[str]:
    """A long line whose paragraphs are separated by gaps of two spaces or more (a page that lost its line
    breaks but kept the indents), cut at those gaps: Chinese prose has no such gaps. A very long line with
    no gaps but numbered headings after its sentences (…予以公布。一、…(一)…) is cut before each heading."""
    if len(line) < LONG_LINE or _is_table_row(line):
        return [line]
    if _PARAGRAPH_GAP_RE.search(line):
        return _PARAGRAPH_GAP_RE.split(line)
    if len(line) >= RUN_ON_PAGE:
        pieces = _HEADING_AFTER_SENTENCE_RE.split(line)
        if len(pieces) > MIN_RUN_ON_HEADINGS:
            return pieces
    return [line]


def _is_table_row(line: str) -> bool:
    """A table's row, cells between tabs or pipes: long, but one row, not paragraphs run together."""
    return "\t" in line.strip() or (line.startswith("|") and line.rstrip().endswith("|"))


# --- text copied from a PDF or a printed page ------------------------------------------------

_PAGE_NUMBER_RE = re.compile(r"^[-—–]\s*\d{1,3}\s*[-—–]$|^第\s*\d{1,3}\s*页(?:\s*[,/]?\s*共\s*\d{1,3}\s*页)?$")
WRAP_SHARE = 0.5  # a share of a text's lines this large being of one width (±1): it was wrapped at that width
MIN_WRAP_CHARS = 20  # a narrower wrap is a list of short lines, not a page
_ENDS_SENTENCE = "。!?;:"
_INDENT_RE = re.compile(r"^(?: {2,}|\t)")  # after NFKC a full-width space is a space
INDENTED_MIN = 3  # lines indented, at least, in a wrapped text that marks its paragraphs by an indent


def _unwrapped(lines: list[str], indented: list[bool], result: CanonicalText) -> list[str]:
    """A text copied from a PDF or a printed page: its page numbers and the running header repeated after them
    dropped, and the lines it wrapped at a fixed width joined again. A line of that width goes on on the next
    unless that one starts with a heading's number, or starts a paragraph: is indented, where the text indents
    its paragraphs, else follows a sentence's end."""
    pages = {i for i, line in enumerate(lines) if _PAGE_NUMBER_RE.match(line)}
    if pages:
        after = [lines[i + 1] for i in pages if i + 1 < len(lines)]
        headers = {line for line in after if len(line) <= 40 and after.count(line) >= 2}
        dropped = {i for i, line in enumerate(lines) if i in pages or (line in headers and i - 1 in pages)}
        result.dropped_lines.extend(lines[i] for i in sorted(dropped))
        lines = [line for i, line in enumerate(lines) if i not in dropped]
        indented = [flag for i, flag in enumerate(indented) if i not in dropped]
    for measure in (len, _display_width):  # characters (a plain-text wrap) or columns (a PDF's lines)
        width = _wrap_width(lines, measure)
        if width is not None:
            return _joined(lines, indented, width, measure)
    return lines


def _joined(lines: list[str], indented: list[bool], width: int, measure: Callable[[str], int]) -> list[str]:
    indents = INDENTED_MIN <= sum(indented) < len(lines)  # the text marks its paragraphs by indents
    out: list[str] = []
    previous = 0  # the width of the last line as written
    for line, indent in zip(lines, indented):
        starts_paragraph = indent if indents else bool(out) and out[-1].endswith(tuple(_ENDS_SENTENCE))
        if out and previous >= width - 2 and not starts_paragraph and not leading_markers(line, 0, len(line)):
            out[-1] += line  # leading_markers: a heading's number goes on a line of its own; 235.6亿元 is none
        else:
            out.append(line)
        previous = measure(line)
    return out


def _display_width(line: str) -> int:
    """Columns a line takes as printed: two for a CJK character (any non-ASCII one), one for a digit or a
    Latin letter (counted in C: a Python loop over every character was a fifth of parsing)."""
    return 2 * len(line) - len(line.encode("ascii", "ignore"))


def _wrap_width(lines: list[str], measure: Callable[[str], int]) -> int | None:
    """The width a text was wrapped at: the most common width of its lines (by ``measure``), when at least
    WRAP_SHARE of its lines of ten characters or more are that wide or one off; None for a text of one line
    a paragraph."""
    lengths = [measure(line) for line in lines if len(line) >= 10]
    if len(lengths) < 8:
        return None
    counts = Counter(lengths)
    width = max(counts, key=lambda n: counts[n - 1] + counts[n] + counts[n + 1])
    near = counts[width - 1] + counts[width] + counts[width + 1]
    longer = sum(n for m, n in counts.items() if m > width + 2)  # a wrapped text has hardly a line wider than its wrap
    wide_enough = width >= MIN_WRAP_CHARS * (measure("中") if measure is not len else 1)
    return width + 1 if wide_enough and near >= WRAP_SHARE * len(lengths) and longer <= 0.05 * len(lengths) else None


# --- saved web pages ------------------------------------------------------------------------

_HTML_START_RE = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
# Page metadata kept on the report's source, under these keys (see kg.rdf: kg:pageTitle…).
PAGE_TITLE, PAGE_URL, PAGE_SITE, PAGE_DATE = "网页标题", "网址", "网站", "网页日期"


def looks_like_html(text: str) -> bool:
    """A saved page starts with a doctype or an html/head/body tag (after an XML declaration or comments)."""
    return bool(_HTML_START_RE.match(text[:4096]))


def page_text(html: str, metadata: dict[str, str], path: str = "<html>") -> str:
    """The text of a saved web page, one block element a line; the page's title, canonical URL,
    site name and date (read by trafilatura) go into ``metadata``.

    The page is rendered whole with inscriptis (block elements and <br> become line breaks,
    <section> included, as WeChat articles use it), and the report is then cut out of the
    page's text like any scraped text. Main-text extractors (trafilatura's own text) were tried
    first: they join <br>-separated lines and drop short lines such as "一、…" headings, which
    are the report's outline. When the body lacks the report's title (it was only in <title>),
    the title is put back in front."""
    body = _render_page(html)
    if not _has_cjk(body):
        raise NoReportError("网页中没有中文正文 (the page has no Chinese text)", path)
    page = _page_metadata(html)
    title = _page_title(page.get(PAGE_TITLE, ""))
    if title:
        page[PAGE_TITLE] = title
    metadata.update(page)
    canonical_title = normalize_chars(title)
    if title and TITLE_RE.search(canonical_title) and canonical_title not in normalize_chars(body[:3000]):
        body = f"{title}\n{body}"
    return body


@lru_cache(maxsize=1)
def _render_config() -> Any:  # inscriptis.model.config.ParserConfig, imported lazily
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.html_properties import Display
    from inscriptis.model.config import ParserConfig
    from inscriptis.model.html_element import HtmlElement

    css = dict(CSS_PROFILES["strict"])
    for tag in ("section", "center", "dl", "dt", "dd", "form", "fieldset", "details", "summary"):
        css.setdefault(tag, HtmlElement(display=Display.block))
    return ParserConfig(css=css)


def _render_page(html: str) -> str:
    """The page's text by inscriptis, from a tree lxml parsed without libxml2's default limits (a
    page nested more than 256 deep, or with an attribute over 10 MB, would otherwise lose its text).
    A tree too deep for inscriptis's recursion gives its text nodes one a line instead."""
    from inscriptis import Inscriptis
    from lxml import etree, html as lxml_html

    try:
        tree = lxml_html.fromstring(html, parser=lxml_html.HTMLParser(huge_tree=True, remove_comments=True))
    except (etree.ParserError, ValueError):  # an empty document, or an encoding declaration in a str
        tree = lxml_html.fromstring(html.encode("utf-8", errors="replace"),
                                    parser=lxml_html.HTMLParser(huge_tree=True, encoding="utf-8"))
    _break_after_bold_leads(tree)
    _problem_tables_as_rows(tree)
    try:
        text: str = Inscriptis(tree, _render_config()).get_text()
        return text
    except RecursionError:
        return "\n".join(line for text in tree.itertext() if (line := text.strip()))


HEADER_ROWS = 3  # a problem table's header is among its first rows (a caption row may come first)


def _problem_tables_as_rows(tree: Any) -> None:
    """A table listing the problems (序号 | 反馈问题 | 整改措施 | 完成情况) becomes one line a row, its cells
    between pipes (| 1 | … | … |), which kg.parse.table reads; a cell spanning rows or columns leaves empty
    cells where it spans, so that every row keeps its columns, and each further paragraph of a measures cell
    is a line of its own with that cell alone filled (one measure a paragraph, as in the text). Other tables (a
    page's layout) stay as they are."""
    from lxml import etree

    from kg.parse.table import MEASURES, header_columns

    for table in list(tree.iter("table")):
        if any(inner is not table for inner in table.iter("table")):
            continue  # a table holding tables lays out a page
        rows = [_row_cells(tr) for tr in table.iter("tr")]
        found = next(((i, columns) for i, row in enumerate(rows[:HEADER_ROWS])
                      if (columns := header_columns([" ".join(paragraphs) for paragraphs, _, _ in row]))), None)
        if found is None:
            continue
        block = etree.Element("div")
        for line in _grid_lines(rows, found[1][MEASURES]):
            etree.SubElement(block, "p").text = line
        block.tail = table.tail
        table.getparent().replace(table, block)


Cell = tuple[list[str], int, int]  # a table cell: its paragraphs, the rows and the columns it spans


def _row_cells(tr: Any) -> list[Cell]:
    """A table row's cells, each with its paragraphs (split where a <p>, <div>, <li> or <br> breaks it)."""
    cells = []
    for cell in tr:
        if cell.tag not in ("td", "th"):
            continue
        for br in cell.iter("br"):
            br.tail = "\n" + (br.tail or "")
        for block in cell.iter("p", "div", "li"):
            block.text = "\n" + (block.text or "")
        text = "".join(cell.itertext()).replace("|", "/")
        paragraphs = [" ".join(piece.split()) for piece in text.split("\n") if piece.strip()]
        cells.append((paragraphs, _span_attribute(cell, "rowspan"), _span_attribute(cell, "colspan")))
    return cells


def _span_attribute(cell: Any, name: str) -> int:
    value = str(cell.get(name, "1")).strip()
    return max(1, min(int(value), 100)) if value.isdigit() else 1


def _grid_lines(rows: list[list[Cell]], measures: int) -> list[str]:
    """Rows laid out on a grid, spans filled with empty cells, one "| … | … |" line a row; the further
    paragraphs of the measures column each on a line of their own."""
    pending: dict[int, int] = {}  # column -> rows it is still spanned from above
    lines = []
    for row in rows:
        grid: list[str] = []
        more: list[str] = []
        column = 0
        for paragraphs, down, across in row:
            while pending.get(column, 0) > 0:
                pending[column] -= 1
                grid.append("")
                column += 1
            if column == measures and across == 1 and len(paragraphs) > 1:
                grid.append(paragraphs[0])
                more = paragraphs[1:]
            else:
                grid.extend([" ".join(paragraphs)] + [""] * (across - 1))
            for c in range(column, column + across):
                pending[c] = down - 1
            column += across
        while pending.get(column, 0) > 0:
            pending[column] -= 1
            grid.append("")
            column += 1
        if any(grid):
            lines.append("| " + " | ".join(grid) + " |")
        lines += ["| " + " | ".join(p if c == measures else "" for c in range(len(grid))) + " |" for p in more]
    return lines


_BOLD_RUN_LEAD_RE = re.compile(r"^\s*[一二三四五六七八九十]+是")  # <b>一是</b>加强…: a measure's own lead-in


def _break_after_bold_leads(tree: Any) -> None:
    """A paragraph opening with bold headings and going on with its text (<p><strong>(二)…方面</strong><strong>1.关于…
    问题</strong>一是…): each heading ends at its bold's end, as a line break would end it. Bold 一是 lead-ins
    stay in their line."""
    from lxml import etree

    for parent in tree.iter("p", "div", "td", "li"):
        if (parent.text or "").strip():
            continue
        children = list(parent)
        for i, bold in enumerate(children):
            heading = "".join(bold.itertext()).strip() if bold.tag in ("strong", "b") else ""
            if len(heading) < 4 or _BOLD_RUN_LEAD_RE.match(heading):
                break
            if not (bold.tail or "").strip() and i + 1 == len(children):
                break  # the whole paragraph is bold: a line of its own already
            text_after = bool((bold.tail or "").strip())
            line_break = etree.Element("br")
            line_break.tail, bold.tail = bold.tail, None
            bold.addnext(line_break)
            if text_after:
                break


def _page_metadata(html: str) -> dict[str, str]:
    """Title, canonical URL, site name and publication date declared by the page."""
    from trafilatura import extract_metadata  # lazy: only pages need it

    document = extract_metadata(html, extensive=False)  # a date the page declares, none guessed from its text
    if document is None:
        return {}
    found = {PAGE_TITLE: document.title, PAGE_URL: document.url, PAGE_SITE: document.sitename,
             PAGE_DATE: document.date}
    return {key: value.strip() for key, value in found.items() if value and value.strip()}


_TITLE_SUFFIX_RE = re.compile(r"\s*[-_|—–]+\s*[^-_|—–]{2,30}$")


def _page_title(title: str) -> str:
    """A <title> without the site name appended to it ("…的通报_徐州市纪委监委")."""
    while True:
        trimmed = _TITLE_SUFFIX_RE.sub("", title)
        if not trimmed.strip(" -_|—–"):
            return ""
        if trimmed == title:
            return title.strip()
        if not TITLE_RE.search(normalize_chars(trimmed)):
            return title.strip()
        title = trimmed


def _clean_line(line: str) -> str:
    line = _MD_HEADING_RE.sub("", line.strip())
    line = _MD_EMPHASIS_RE.sub("", line)
    return line.strip(" \t\u3000")


def _strip_page(lines: list[str], result: CanonicalText) -> list[str]:
    """Keep the lines from the report's title (or intro) to its signed date."""
    body: list[str] = []
    for line in lines:
        if _is_metadata_line(line, result.metadata) or _is_noise_line(line):
            result.dropped_lines.append(line)
        else:
            body.append(line)
    if not any(_is_title(line) for line in body[:_HEADER_LINES]):
        body = _joined_wrapped_title(body)
    start = _report_start(body)
    if body and _is_title(body[start]):
        body, start = _report_title(body, start, result)
    if not any(key in result.metadata for key in _PUBLISHED_KEYS):
        _date_from_header(body[:start], result.metadata)
    body = _without_byline(body, start, result)
    if body and _is_title(body[start]):
        body = _without_furniture_under_title(body, start, result)
    end = _report_end(body, start)
    result.dropped_lines.extend(body[:start])
    result.dropped_lines.extend(body[end:])
    return body[start:end]


_UNDER_TITLE_LINES = 8


def _without_furniture_under_title(body: list[str], start: int, result: CanonicalText) -> list[str]:
    """Drop what stands between the title and the introduction when it is not prose: share buttons,
    bylines, spam, a date line (the report's text begins with its introduction)."""
    intro = _first_intro(body, start + 1)
    if intro is None or intro - start > _UNDER_TITLE_LINES:
        return body
    between = body[start + 1:intro]
    if not between or any(len(line) > 80 or "。" in line or _OUTLINE_MARKER_RE.match(line) for line in between):
        return body
    result.dropped_lines.extend(between)
    if not any(key in result.metadata for key in _PUBLISHED_KEYS):
        _date_from_header(between, result.metadata)
    return body[:start + 1] + body[intro:]


_PUBLISHED_KEYS = ("发布时间", "发布日期", "信息时间", "发稿时间", "发表时间")
_META_LEAD_RE = re.compile(r"^[\s【\[]*((?:19|20)\d{2}(?:[-/.]\d{1,2}[-/.]\d{1,2}|年\d{1,2}月\d{1,2}日)"
                           r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)?[\s【\[]*$")


def _is_metadata_line(line: str, metadata: dict[str, str]) -> bool:
    matches = list(_META_RE.finditer(line))
    if not matches or len(line) > 120:
        return False
    # A metadata line starts with its key ("来源:…", "【信息时间:…", "2021-02-23 12:42来源:…"), or names
    # the publication time anywhere.
    lead = _META_LEAD_RE.match(line[:matches[0].start()])
    if not lead and not any(m.group(1) in _PUBLISHED_KEYS for m in matches):
        return False
    if lead and lead.group(1):
        metadata.setdefault("发布时间", lead.group(1))
    for i, match in enumerate(matches):
        value_end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        value = re.split(r"【|\[|字体|字号|\|", line[match.end():value_end])[0].strip(" |[]")
        if value:
            metadata.setdefault(match.group(1), value)
    return True


_HEADER_DATE_RE = re.compile(r"((?:19|20)\d{2}[-/]\d{1,2}[-/]\d{1,2}(?:\s+\d{1,2}:\d{2})?|(?:19|20)\d{2}年\d{1,2}月\d{1,2}日)")


def _date_from_header(header: list[str], metadata: dict[str, str]) -> None:
    """A publication date on a short header line (e.g. "原创 XX纪检 2023-05-06 10:00 发表于安徽"). Of several
    (a disclosure block whose labels were stripped: written, then published), the latest; a site's
    "今天是…星期二" is not one."""
    found: list[tuple[tuple[int, ...], str]] = []
    for line in header:
        match = _HEADER_DATE_RE.search(line)
        if match and len(line) <= 60 and not _TODAY_RE.search(line):
            found.append((tuple(int(n) for n in re.findall(r"\d+", match.group(1))[:3]), match.group(1)))
    if found:
        metadata["发布时间"] = max(found, key=lambda item: item[0])[1]


_TODAY_RE = re.compile(r"今天|今日|星期|周[一二三四五六日]|天气")


_BYLINE_DATE_RE = re.compile(r"(?:19|20)\d{2}-\d{1,2}-\d{1,2}")


def _without_byline(body: list[str], start: int, result: CanonicalText) -> list[str]:
    """Drop a byline under the title ("原创 某某纪检 2023-05-06 10:00"): a short line just after it
    with a machine-style date. Dates written in Chinese (2021年3月18日) are report text and stay."""
    for i in range(start + 1, min(start + 3, len(body))):
        line = body[i]
        if len(line) <= 40 and "。" not in line and _BYLINE_DATE_RE.search(line):
            result.dropped_lines.append(line)
            if not any(key in result.metadata for key in _PUBLISHED_KEYS):
                _date_from_header([line], result.metadata)
            return body[:i] + body[i + 1:]
    return body


_TOOLBAR_RE = re.compile(r"^(?:[\s【】\[\]():|/-]|页面|字体|字号|对比度|大小|大|中|小|默认|颜色|背景色?|保护视力色?|"
                         r"视力保护|语音|朗读|阅读|打印|我要打印|关闭|关闭窗口|分享|收藏|浏览|无障碍)+$")
_NO_TEXT_RE = re.compile(r"^[^\w\u4e00-\u9fff]+$")


def _is_noise_line(line: str) -> bool:
    if _TOOLBAR_RE.match(line) or _NO_TEXT_RE.match(line):  # 页面: 字体: 对比度:; a lone "-"
        return True
    if len(line) < _FOOTER_MAX and _FOOTER_RE.search(line):
        return True
    if len(line) < _WIDGET_MAX and _WIDGET_RE.search(line) and not TITLE_RE.search(line):  # 当前位置:…>标题 keeps its title
        return True
    if len(line) < _CAPTION_MAX and _CAPTION_RE.match(line):
        return True
    if _BREADCRUMB_RE.match(line) and not TITLE_RE.search(line) and not _ANGLE_HEADING_RE.match(line):
        return True
    return False


def _report_start(lines: list[str]) -> int:
    """Index of the title line, else of the first paragraph naming the inspection.

    A page may show the title several times (portal title, breadcrumb title, heading): the report
    starts at the last title line before the introduction."""
    titles = [i for i, line in enumerate(lines[:_HEADER_LINES]) if _is_title(line)]
    if not titles:
        intro = _first_intro(lines, 0)
        return 0 if intro is None else intro
    intro = _first_intro(lines, titles[0])  # other articles of a page before the title are not the report
    if intro is None:  # a title with no introduction after it: a related-article link under an untitled report
        first = _first_intro(lines, 0)
        return titles[0] if first is None else first
    return max(i for i in titles if i < intro)


_HEADER_LINES = 60  # a page's furniture above the title: navigation, portal title, toolbar, disclosure block


_OUTLINE_MARKER_RE = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、])")


def _is_title(line: str) -> bool:
    """A report title: short, ends like one, and is not a numbered heading of the report."""
    return len(line) <= 80 and bool(TITLE_RE.search(line)) and not _OUTLINE_MARKER_RE.match(line)


def _first_intro(lines: list[str], start: int) -> int | None:
    """The first paragraph from start, among the first lines, that tells of the inspection (a sentence,
    not a title)."""
    for i in range(start, min(len(lines), start + _HEADER_LINES // 2)):
        line = lines[i]
        if len(line) > 30 and _INTRO_RE.search(line) and not _is_title(line):
            return i
    return None


def _joined_wrapped_title(lines: list[str]) -> list[str]:
    """A title wrapped over two lines mid-phrase (…关于十二届市委第二轮 / 巡视整改进展情况的通报) made one."""
    for i in range(min(len(lines), _HEADER_LINES) - 1):
        first, second = lines[i], lines[i + 1]
        if _is_title(first) or _is_title(second) or "。" in first or "。" in second:
            continue
        if len(first) + len(second) <= 80 and _is_title(first + second) and _first_intro(lines, i + 2) is not None:
            return lines[:i] + [first + second] + lines[i + 2:]
    return lines


_COMMITTEE_LINE_RE = re.compile(r"^[^,。;:\s]{2,30}(委员会|委|党委|党组|党工委|工委|党总支)$")
_PORTAL_SPLIT_RE = re.compile(r"\s*(?:>>?|»|›)\s*|\s+")
_COLUMN_LABEL_RE = re.compile(r"^[^,。;:关]{2,10}:\s*")


def _report_title(body: list[str], start: int, result: CanonicalText) -> tuple[list[str], int]:
    """The title line made whole: a column label glued to it (上级巡视:) or portal words before it
    (网站名 栏目 …) dropped, and a title split over two lines (committee, then 关于…的通报, or the
    other way round) joined."""
    line = body[start]
    label = _COLUMN_LABEL_RE.match(line)
    if label and _is_title(line[label.end():]):
        line = line[label.end():]
    line = _without_portal_words(line)
    if line.startswith("关于") and start > 0 and _COMMITTEE_LINE_RE.match(body[start - 1]):
        start -= 1
        return body[:start] + [body[start] + line] + body[start + 2:], start
    if line.startswith("关于") and start + 1 < len(body) and _COMMITTEE_LINE_RE.match(body[start + 1]):
        return body[:start] + [body[start + 1] + line] + body[start + 2:], start
    if line != body[start]:
        result.dropped_lines.append(body[start])
        body = body[:start] + [line] + body[start + 1:]
    return body, start


def _without_portal_words(line: str) -> str:
    """"网站名 栏目 中共…关于…的通报" -> the title; a space after the committee's name is the title's own."""
    rest = line
    for sep in _PORTAL_SPLIT_RE.finditer(line):
        word = _PORTAL_SPLIT_RE.split(line[:sep.start()])[-1]
        if _COMMITTEE_LINE_RE.match(word):
            break
        if _is_title(line[sep.end():]):
            rest = line[sep.end():]
    return rest


def _report_end(lines: list[str], start: int) -> int:
    """Index after the signed date line; len(lines) when the report is unsigned."""
    for i in range(len(lines) - 1, start, -1):
        if _DATE_ONLY_RE.match(lines[i]) and (i - 1 > start and _SIGNATURE_RE.search(lines[i - 1])
                                              or i - 1 > start and len(lines[i - 1]) <= 40):
            return i + 1
    return len(lines)
