"""Saved web pages: the report inside a page parses exactly as the scraped text does, the
page's metadata becomes the report's source, and the same report from two sites is one report."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.exceptions import NoReportError
from kg.ingest import PAGE_DATE, PAGE_SITE, PAGE_URL, looks_like_html
from kg.parse import parse_file
from kg.namespaces import KG
from kg.rdf import report_iri
from kg.build import build
from tests.conftest import REAL_REPORTS, assert_spans_faithful
from tests.pages import LAYOUTS, split_title

REPORT_FILES = REAL_REPORTS


def _write_page(tmp_path: Path, report: Path, layout: str, suffix: str = ".html") -> Path:
    page = LAYOUTS[layout](report.read_text(encoding="utf-8"))
    charset = "gb18030" if 'charset="gb' in page[:200] else "utf-8"
    out = tmp_path / f"{report.stem}.{layout}{suffix}"
    out.write_bytes(page.encode(charset))
    return out


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("report", REPORT_FILES, ids=lambda p: p.stem)
def test_page_parses_like_the_scraped_text(tmp_path: Path, report: Path, layout: str) -> None:
    from_text = parse_file(report)
    from_page = parse_file(_write_page(tmp_path, report, layout))
    assert from_page.text == from_text.text
    assert from_page.committee == from_text.committee
    assert from_page.signed == from_text.signed
    assert [p.span for p in from_page.iter_problems()] == [p.span for p in from_text.iter_problems()]
    assert [m.span for m in from_page.iter_measures()] == [m.span for m in from_text.iter_measures()]
    assert report_iri(from_page) == report_iri(from_text)
    assert_spans_faithful(from_page)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_page_metadata_is_kept(tmp_path: Path, layout: str) -> None:
    page = _write_page(tmp_path, REPORT_FILES[0], layout)
    html = page.read_bytes().decode("gb18030" if layout == "table" else "utf-8")
    parsed = parse_file(page)
    meta = parsed.source.metadata
    assert meta[PAGE_URL] in html and meta[PAGE_URL].startswith("http")
    assert meta[PAGE_SITE] in html
    assert meta[PAGE_DATE][:4].isdigit()
    assert parsed.source.encoding == ("gb18030" if layout == "table" else "utf-8")


def test_page_title_restores_a_title_only_in_the_head(tmp_path: Path) -> None:
    """A page whose body lacks the title (only <title> has it) still yields the report title."""
    report = next(p for p in REPORT_FILES if split_title(p.read_text(encoding="utf-8"))[0])
    title, lines = split_title(report.read_text(encoding="utf-8"))
    body = "".join(f"<p>{line}</p>" for line in lines)
    page = tmp_path / "head-title.html"
    page.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title} - 某某市纪委监委网站</title>"
                    f"</head><body><div>{body}</div></body></html>", encoding="utf-8")
    parsed = parse_file(page)
    assert parsed.title == title
    assert parsed.source.metadata["网页标题"] == title


def test_html_saved_as_txt_is_recognised(tmp_path: Path) -> None:
    page = _write_page(tmp_path, REPORT_FILES[1], "paragraphs", suffix=".txt")
    assert looks_like_html(page.read_text(encoding="utf-8"))
    assert parse_file(page).text == parse_file(REPORT_FILES[1]).text


@pytest.mark.parametrize("body", [
    "<p>市纪委监委召开全体会议</p><p>会议强调, 要持之以恒正风肃纪。</p>",  # a news page, no report
    "<script>var a = 1;</script>",  # no text at all
])
def test_page_without_a_report_is_refused(tmp_path: Path, body: str) -> None:
    page = tmp_path / "news.html"
    page.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>新闻</title></head><body>{body}"
                    "</body></html>", encoding="utf-8")
    with pytest.raises(NoReportError) as caught:
        parse_file(page)
    assert str(page) in str(caught.value)


def test_same_report_from_a_text_and_two_pages_is_one_report(tmp_path: Path) -> None:
    report = REPORT_FILES[2]
    copies = [report, _write_page(tmp_path, report, "paragraphs"), _write_page(tmp_path, report, "wechat")]
    store = Store()
    summary = build(store, copies)
    assert not summary.failed
    graphs = {q.graph_name for q in store.quads_for_pattern(None, None, None) if "/report/" in str(q.graph_name)}
    assert len(graphs) == 1
    sources = {str(row["path"].value): row for row in store.query(
        f"SELECT ?path ?url ?site WHERE {{ GRAPH ?g {{ ?r <http://www.w3.org/ns/prov#wasDerivedFrom> ?s . "
        f"?s <{KG}sourcePath> ?path . OPTIONAL {{ ?s <{KG}pageURL> ?url }} OPTIONAL {{ ?s <{KG}siteName> ?site }} }} }}")}
    assert set(sources) == {str(p) for p in copies}
    assert sources[str(report)]["url"] is None
    assert sources[str(copies[1])]["url"].value.startswith("http://")
    assert sources[str(copies[2])]["site"].value == "某某纪检"


def test_a_page_that_declares_no_date_gets_none_guessed_from_its_text(tmp_path: Path) -> None:
    """A year in the report's sentences (对2019年以来…) is no publication date: only a date the page declares is."""
    text = REAL_REPORTS[2].read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and "发布" not in line and "来源" not in line]
    body = "".join(f"<p>{line}</p>" for line in lines[:1] + ["对2019年以来结题的项目开展专项审计。"] + lines[1:])
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><meta charset='utf-8'><title>通报</title></head><body>{body}</body></html>",
                    encoding="utf-8")
    assert parse_file(page).published is None
