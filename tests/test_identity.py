"""Entity resolution across reports: each rule of kg/ontology/README.md, tested on its own."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Store

import kg.build

from kg.model import Committee, Document, Inspection, Region, Report, SourceInfo
from kg.parse import parse_file
from kg.namespaces import KG
from kg.parse.documents import issuer_of, scope_of
from kg.rdf import committee_key, document_iri, document_scope_of, group_iri, organisation_iri, report_iri, report_quads
from kg.build import build
from kg.store import report_graphs, sources_in_store

from .conftest import REAL_REPORTS

JINAN_TIANQIAO = Region("山东省", "济南市", "天桥区", "370105")
QINGDAO_SHINAN = Region("山东省", "青岛市", "市南区", "370202")
XIAN_LIANHU = Region("陕西省", "西安市", "莲湖区", "610104")


def report(region: Region, *, ordinal: int = 5, round_: str | None = None, start: str = "2020-05-29",
           name: str = "中共某区委", kind: str = "区委") -> Report:
    return Report(schema="xunshi-kg/report/1", source=SourceInfo("x.txt", "0" * 64, "utf-8", 0), text="",
                  committee=Committee(name=name, kind=kind, region=region),
                  inspection=Inspection(kind="巡视", by="省委", group=f"省委第{ordinal}巡视组", ordinal=ordinal,
                                        round=round_, start=dt.date.fromisoformat(start)),
                  signed=dt.date(2021, 2, 8))


def test_one_group_across_reports_of_one_round() -> None:
    a = report(JINAN_TIANQIAO, round_="十一届省委第七轮")
    b = report(QINGDAO_SHINAN, round_="十一届省委第七轮", start="2020-06-02")
    assert group_iri(a) == group_iri(b)


def test_same_number_in_two_provinces_or_two_rounds_are_different_groups() -> None:
    shandong = report(JINAN_TIANQIAO, round_="十一届省委第七轮")
    shaanxi = report(XIAN_LIANHU, round_="十一届省委第七轮")
    next_round = report(JINAN_TIANQIAO, round_="十一届省委第八轮")
    assert len({group_iri(shandong), group_iri(shaanxi), group_iri(next_round)}) == 3


def test_without_a_round_the_period_tells_groups_apart() -> None:
    same_period = [report(JINAN_TIANQIAO), report(QINGDAO_SHINAN)]
    later = report(JINAN_TIANQIAO, start="2021-03-01")
    assert group_iri(same_period[0]) == group_iri(same_period[1]) != group_iri(later)


def test_group_belongs_to_the_dispatching_committee() -> None:
    _, quads = report_quads(report(JINAN_TIANQIAO))
    dispatched = {q.object.value for q in quads if q.predicate.value == KG + "dispatchedBy"}
    assert dispatched == {"https://w3id.org/xunshi-kg/id/committee/370000-省委"}


def test_committee_named_two_ways_is_one_committee() -> None:
    long_form = Committee(name="中共徐州市鼓楼区委员会", kind="区委", region=Region("江苏省", "徐州市", "鼓楼区", "320302"))
    short_form = Committee(name="中共徐州市鼓楼区委", kind="区委", region=Region("江苏省", "徐州市", "鼓楼区", "320302"))
    assert committee_key(long_form) == committee_key(short_form) == "320302-区委"


def test_documents_by_number_national_title_or_local_title() -> None:
    numbered = Document("关于进一步加强纪检监察干部队伍管理监督的通知", number="鲁纪发〔2013〕8号")
    national = Document("党政领导干部选拔任用工作条例")
    local = Document("关于激励干部担当作为的实施意见")
    named_place = Document("天桥区区属国有企业监督管理办法(试行)")
    assert document_iri(numbered, "370105") == document_iri(numbered, "610104")
    assert document_iri(national, "370105") == document_iri(national, "610104")
    assert document_iri(local, "370105") != document_iri(local, "610104")
    assert "/370105/" in document_iri(named_place, "370105").value


def test_a_documents_scope_is_read_back_from_its_iri(real_reports: list[Report]) -> None:
    """kg:scope is not written (issue 25): the IRI says it, for every document of data/ and every region."""
    documents = [d for r in real_reports for d in r.documents] + [
        Document("关于激励干部担当作为的实施意见"), Document("工作提示", number="鲁纪发〔2013〕8号"), Document("wh")]
    assert {scope_of(d) for d in documents} == {"numbered", "shared", "local"}
    for document in documents:
        for code in ("370105", None):
            assert document_scope_of(document_iri(document, code).value) == scope_of(document), document


def test_issuer_from_the_number_prefix() -> None:
    assert issuer_of("鲁纪发〔2013〕8号") == "中共山东省纪委"
    assert issuer_of("中组发〔2013〕18号") == "中共中央组织部"
    assert issuer_of("苏政办发〔2020〕3号") == "江苏省人民政府办公厅"
    assert issuer_of("某某发〔2020〕3号") is None


def test_organisations_resolve_by_name_within_their_region() -> None:
    assert organisation_iri("区纪委监委", "370105") == organisation_iri("区纪委监委", "370105")
    assert organisation_iri("区纪委监委", "370105") != organisation_iri("区纪委监委", "610104")


def test_regions_link_county_to_city_to_province() -> None:
    _, quads = report_quads(report(JINAN_TIANQIAO))
    within = {(q.subject.value.rsplit("/", 1)[-1], q.object.value.rsplit("/", 1)[-1])
              for q in quads if q.predicate.value == KG + "withinRegion"}
    assert within == {("370105", "370100"), ("370100", "370000")}


@pytest.mark.parametrize("batch", [None, 1], ids=["one-batch", "a-batch-a-report"])
def test_the_same_report_from_two_sites_is_one_report_with_both_sources(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int | None) -> None:
    """With a batch a report, the mirror arrives while the first copy's batch is still loading
    in the writer's thread: it must still become the same report, not a second load of it."""
    if batch is not None:
        monkeypatch.setattr(kg.build, "BULK_BATCH_QUADS", batch)
        load = kg.build._Writer._bulk_load

        def slow_load(writer: kg.build._Writer, *args: object) -> None:
            time.sleep(1)  # still loading when the mirror has been parsed
            load(writer, *args)

        monkeypatch.setattr(kg.build._Writer, "_bulk_load", slow_load)
    original = REAL_REPORTS[3].read_text(encoding="utf-8")
    mirror = tmp_path / "mirror.txt"
    mirror.write_text("网站首页 > 巡视巡察 > 正文\n" + original.replace("首页>工作之窗>巡视巡察\n", "") + "\n分享到:微信 微博\n",
                      encoding="utf-8")
    assert report_iri(parse_file(mirror)) == report_iri(parse_file(REAL_REPORTS[3]))
    store = Store()
    first = build(store, [REAL_REPORTS[3], mirror])
    assert (len(first.added), len(first.replaced)) == (1, 1)
    assert len(report_graphs(store)) == 1
    with monkeypatch.context() as whole:  # the same graph as when both arrive in one batch
        whole.setattr(kg.build, "BULK_BATCH_QUADS", 10**9)
        reference = Store()
        build(reference, [REAL_REPORTS[3], mirror])
    graph = report_graphs(reference)[0]
    assert report_graphs(store) == [graph]
    assert set(store.quads_for_pattern(None, None, None, graph)) == \
        set(reference.quads_for_pattern(None, None, None, graph))
    sources = sources_in_store(store)
    assert set(sources) == {str(REAL_REPORTS[3]), str(mirror)}
    again = build(store, [REAL_REPORTS[3], mirror])
    assert len(again.skipped) == 2, "both sources are recorded, so neither file is re-parsed"
    assert isinstance(report_graphs(store)[0], NamedNode)


def _copies(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(REAL_REPORTS[3].read_bytes())
    b.write_bytes(REAL_REPORTS[3].read_bytes())
    return a, b


def test_byte_identical_copies_keep_the_store_valid_under_its_shapes(tmp_path: Path) -> None:
    from kg.validate import validate_store

    a, b = _copies(tmp_path)
    store = Store()
    summary = build(store, [a, b])
    assert summary.added == [str(a)] and summary.duplicates == [str(b)]
    assert set(sources_in_store(store)) == {str(a), str(b)}
    results = validate_store(store)
    assert [r.violations for r in results] == [[]]
    c = tmp_path / "c.txt"  # a copy arriving in a later build joins the same source file
    c.write_bytes(a.read_bytes())
    build(store, [a, b, c])
    assert set(sources_in_store(store)) == {str(a), str(b), str(c)}
    assert [r.violations for r in validate_store(store)] == [[]]


def test_prune_drops_a_report_only_when_none_of_its_files_is_left(tmp_path: Path) -> None:
    from kg.validate import validate_store

    a, b = _copies(tmp_path)
    mirror = tmp_path / "mirror.txt"  # the same report from another site: another source file
    mirror.write_text("网站首页 > 巡视巡察 > 正文\n" + a.read_text(encoding="utf-8") + "\n分享到:微信 微博\n", encoding="utf-8")
    store = Store()
    build(store, [tmp_path])
    graph = report_graphs(store)[0]
    b.unlink()
    summary = build(store, [tmp_path], prune=True)
    assert summary.pruned == [] and summary.detached == [str(b)]
    assert report_graphs(store) == [graph] and set(sources_in_store(store)) == {str(a), str(mirror)}
    a.unlink()  # the source file of a and b has no path left: it goes, the mirror's stays
    summary = build(store, [tmp_path], prune=True)
    assert summary.pruned == [] and summary.detached == [str(a)]
    assert report_graphs(store) == [graph] and set(sources_in_store(store)) == {str(mirror)}
    derived = list(store.quads_for_pattern(graph, NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), None, graph))
    assert len(derived) == 1
    assert [r.violations for r in validate_store(store)] == [[]]
    assert build(store, [tmp_path]).skipped == [str(mirror)]
    mirror.unlink()
    summary = build(store, [tmp_path], prune=True)
    assert summary.pruned == [str(mirror)] and report_graphs(store) == []


def test_one_report_identity_with_two_contents_is_a_conflict_naming_both_files(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_bytes(REAL_REPORTS[3].read_bytes())
    text = a.read_text(encoding="utf-8")
    assert text.count("督导检查") >= 1
    b = tmp_path / "b.txt"
    b.write_text(text.replace("督导检查", "督查检查", 1), encoding="utf-8")
    assert report_iri(parse_file(a)) == report_iri(parse_file(b))
    store = Store()
    summary = build(store, [a, b])
    assert summary.added == [str(a)] and summary.replaced == []
    assert [path for path, _ in summary.failed] == [str(b)]
    reason = summary.failed[0][1]
    assert str(a) in reason and "\n" not in reason and "conflict" in reason
    graph = report_graphs(store)[0]
    before = set(store.quads_for_pattern(None, None, None, graph))
    again = build(store, [a, b])  # later builds too: never a silent replace
    assert [path for path, _ in again.failed] == [str(b)] and again.skipped == [str(a)]
    assert set(store.quads_for_pattern(None, None, None, graph)) == before
    assert set(sources_in_store(store)) == {str(a)}
    a.unlink()  # the rival is gone: b is now the report's only file and replaces it
    assert build(store, [b]).replaced == [str(b)]
    assert set(sources_in_store(store)) == {str(b)}
