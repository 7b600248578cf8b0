"""Reading files: encodings, canonical character forms, cutting the report out of its page."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.exceptions import IngestError
from kg.ingest import canonicalize, normalize_chars, read_report
from kg.parse import parse_file

from .conftest import REAL_REPORTS, assert_spans_faithful, parsed

ENCODINGS = [("gb18030", "gb18030"), ("utf-16", "utf-16"), ("utf-8-sig", "utf-8-sig")]


def _model(path: Path) -> dict:
    data = parse_file(path).to_dict()
    data.pop("source")
    return data


@pytest.mark.parametrize("codec,recorded", ENCODINGS, ids=[e[0] for e in ENCODINGS])
@pytest.mark.parametrize("report", REAL_REPORTS[:2], ids=lambda p: p.stem)
def test_other_encodings_give_the_same_model(tmp_path: Path, report: Path, codec: str, recorded: str) -> None:
    text = report.read_text(encoding="utf-8")
    encoded = tmp_path / f"{report.stem}.{codec}.txt"
    encoded.write_bytes(text.replace("\n", "\r\n").encode(codec))
    assert read_report(encoded).encoding == recorded
    assert _model(encoded) == _model(report)


def test_full_width_forms_are_unified(tmp_path: Path) -> None:
    report = REAL_REPORTS[0]
    text = report.read_text(encoding="utf-8")
    wide = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789(),:;"})
    assert wide != text
    path = tmp_path / "wide.txt"
    path.write_text(wide, encoding="utf-8")
    assert read_report(path).text == read_report(report).text


def test_structural_characters_survive_normalisation() -> None:
    kept = "《》〈〉〔〕“”‘’①②⑳…"
    assert normalize_chars(kept) == kept
    assert normalize_chars("（一）１２３，：；") == "(一)123,:;"


def test_page_noise_is_dropped_and_metadata_kept() -> None:
    tianqiao = read_report(next(p for p in REAL_REPORTS if "tianqiao" in p.name))
    assert tianqiao.metadata["来源"] == "山东省纪委监委网站"
    assert "首页>工作之窗>巡视巡察" in tianqiao.dropped_lines
    assert tianqiao.text.startswith("中共济南市天桥区委关于巡视整改进展情况的通报")
    lianhu = read_report(next(p for p in REAL_REPORTS if "lianhu" in p.name))
    assert lianhu.text.endswith("2022年5月6日"), "related-article links after the signed date are noise"
    assert not any("勐腊" in line for line in lianhu.text.split("\n"))


def test_markdown_and_front_matter_remnants_are_removed() -> None:
    raw = "---\ntitle: x\n---\n## **中共某县委关于巡察整改进展情况的通报**\n正文根据市委部署，市委第一巡察组开展巡察整改。"
    result = canonicalize(raw)
    assert result.text.split("\n")[0] == "中共某县委关于巡察整改进展情况的通报"
    assert "**" not in result.text and "title: x" not in result.text


def test_spans_are_exact_on_real_reports() -> None:
    for path in REAL_REPORTS:
        assert_spans_faithful(parsed(str(path)))


# --- bad input -------------------------------------------------------------------------

BAD_INPUTS = {
    "empty.txt": (b"", "空文件"),
    "blank.txt": (b"  \n\r\n  ", "空文件"),
    "image.txt": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
    "nul.txt": (b"abc\x00\x01\x02" * 200, "NUL"),
    "latin.txt": (bytes(range(0xA1, 0xFF)) * 3 + b"\xff\xfe\xfd", None),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_bytes_raise_one_clear_error(tmp_path: Path, name: str) -> None:
    data, reason = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError) as info:
        parse_file(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    if reason:
        assert reason in message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="不存在"):
        read_report(tmp_path / "nope.txt")
    with pytest.raises(IngestError, match="目录"):
        read_report(tmp_path)
