"""Bodies named in measures (issue 22) and their roles (issue 23): enumerations, abbreviations, people and
classes left out, lead and responsible bodies, one node per body per region, and properties that hold for any
enumeration. Expected names and roles were read in the reports' text (data/reports), not taken from the output."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import NamedNode, Quad, Store

from kg.model import Body, Measure, Report
from kg.namespaces import ID, KG
from kg.parse.entities import ROLES, bodies_in
from kg.namespaces import ROLE_PROPERTIES
from kg.rdf import body_region, organisation_iri, report_rdf

QINHUANGDAO, GULOU, LIANHU, TIANQIAO = "130371", "320302", "610104", "370105"


def _measure(reports: list[Report], code: str, words: str) -> Measure:
    """The one measure of the region's report whose text holds ``words``."""
    report = next(r for r in reports if r.committee.region.code == code)
    found = [m for m in report.iter_measures() if words in m.text]
    assert len(found) == 1, f"{words!r}: {len(found)} measures"
    return found[0]


def _roles(measure: Measure) -> dict[str, str]:
    return {body.name: body.role for body in measure.bodies}


def _bodies(text: str) -> dict[str, str]:
    return {body.name: body.role for body in bodies_in(text, 0, len(text))}


# --- enumerations and abbreviations (real reports) --------------------------------------

def test_an_enumeration_gives_every_body(real_reports: list[Report]) -> None:
    """针对2018年市纪委、市人社局、市财政局、市审计局发现…: four bodies, the first after a year, the last before 发现,
    each named as the source of earlier findings (mentioned)."""
    measure = _measure(real_reports, QINHUANGDAO, "市纪委、市人社局、市财政局、市审计局")
    roles = _roles(measure)
    assert {name: roles.get(name) for name in ("市纪委", "市人社局", "市财政局", "市审计局")} == dict.fromkeys(
        ("市纪委", "市人社局", "市财政局", "市审计局"), "mentioned")  # named as the source of earlier findings
    assert not any(name.startswith("年") for name in roles)


def test_a_list_of_committees_after_a_verb(real_reports: list[Report]) -> None:
    """区委常委会已分别听取区人大常委会党组、区政府党组、区政协党组和各常委单位专项汇报: three bodies heard; 各常委单位
    is a class; 区委常委会 is the body acting."""
    measure = _measure(real_reports, LIANHU, "已分别听取区人大常委会党组")
    roles = _roles(measure)
    assert {"区委常委会", "区人大常委会党组", "区政府党组", "区政协党组"} <= set(roles)
    assert not any("常委单位" in name for name in roles)


def test_two_committees_written_together_are_two(real_reports: list[Report]) -> None:
    """市委十一届十一次全会召开后,区委区政府及时对标…: 区委 and 区政府, and 市委 (whose plenum is cited) mentioned."""
    roles = _roles(_measure(real_reports, TIANQIAO, "区委区政府及时对标"))
    assert roles.get("区委") == "participant" and roles.get("区政府") == "participant"
    assert roles.get("市委") == "mentioned"
    assert "区委区政府" not in roles


@pytest.mark.parametrize(("code", "words", "name"), [
    (GULOU, "区纪委监委结合查办案件", "区纪委监委"),
    (GULOU, "区纪委监委派驻第四纪检监察组", "区纪委监委派驻第四纪检监察组"),
    (LIANHU, "定期向市委编办汇报", "市委编办"),
    (QINHUANGDAO, "接办市委网信办发布", "市委网信办"),
    (LIANHU, "区委改革办联合区大督查办", "区委改革办"),
    (LIANHU, "区委党建工作领导小组", "区委党建工作领导小组"),
])
def test_abbreviations_and_named_groups_are_kept_whole(real_reports: list[Report], code: str, words: str,
                                                      name: str) -> None:
    names = set(_roles(_measure(real_reports, code, words)))
    assert name in names
    assert not {n for n in names if n != name and n in name and len(n) >= 2 and name.endswith(n)}, names


def test_names_inside_document_titles_are_not_bodies(real_reports: list[Report]) -> None:
    """《鼓楼区纪委监委监督检查室联系指导派驻机构工作实施方案》 names no body acting; 省市纪委监委 outside the title does."""
    roles = _roles(_measure(real_reports, GULOU, "联系指导派驻机构工作实施方案"))
    assert "省市纪委监委" in roles
    assert not any("鼓楼区" in name for name in roles)


# --- people and classes of bodies ---------------------------------------------------------

_CLASS_RE = re.compile(r"^(各|全区|相关|有关|区属|区直|基层|上级|下一级|同级|职能|重点)")


def test_people_and_classes_are_never_bodies(real_reports: list[Report]) -> None:
    """Over every measure of data/: no post (区委常委, 书记, 班子成员), no class (各街道, 相关部门, 区属平台公司)."""
    names = {body.name for report in real_reports for m in report.iter_measures() for body in m.bodies}
    assert names, "no bodies found at all"
    assert not {n for n in names if n.endswith("常委") or "书记" in n or "班子" in n or "成员" in n}
    assert not {n for n in names if _CLASS_RE.match(n)}
    assert not {n for n in names if n.endswith(("平台公司", "部门", "单位"))}


def test_a_post_is_not_its_committee(real_reports: list[Report]) -> None:
    """区委常委班子成员对照省委巡视反馈意见…: people, and 省委巡视 is the inspection; 区委常委会 (the body) is found."""
    roles = _roles(_measure(real_reports, GULOU, "区委常委班子成员对照"))
    assert "区委常委会" in roles
    assert not {"区委常委", "省委"} & set(roles)


@pytest.mark.parametrize(("text", "want"), [
    ("来源:广州市住房和城乡建设局。", {"广州市住房和城乡建设局"}),  # 和 inside a ministry's name
    ("第131次区委常委会会议深入学习。", {"区委常委会"}),  # an ordinal, and a meeting is its body acting
    ("充分发挥区委党的建设工作领导小组作用。", {"区委党的建设工作领导小组"}),
    ("成立领导小组,下设整改工作办公室,负责日常协调。", {"整改工作办公室"}),
    ("沭阳、泗阳、泗洪三县政府办开展督查。", set()),  # three counties' offices: a class
    ("选派干部到省、市两级发改委跟班学习。", set()),
])
def test_where_names_start_and_end(text: str, want: set[str]) -> None:
    assert set(_bodies(text)) == want


def test_quantified_and_quoted_groups_are_classes() -> None:
    assert _bodies("组建了队伍建设巡查专班和4个工作组,对近三年来情况进行督导检查。") == {"队伍建设巡查专班": "participant"}
    assert _bodies("构建起“一产业一专班、一企业一专班”推进机制,完善村“两委”干部监管。") == {}
    assert _bodies("对平台公司等大型企业集团履行出资人职责,督促各街道、区属国有企业落实。") == {}


# --- roles ----------------------------------------------------------------------------------

def test_lead_and_responsible_bodies_in_a_real_measure(real_reports: list[Report]) -> None:
    """Tianqiao's 152 招商机制, read: 由区级领导、区投资促进局、济南新材料产业园区管委会、产业招商部门和各街道“五大主体”
    跟进; 由区行政审批服务局牵头实施; 由区委办公室、区政府办公室督查督办."""
    roles = _roles(_measure(real_reports, TIANQIAO, "实施“152”招商机制"))
    assert roles == {"区投资促进局": "responsible", "济南新材料产业园区管委会": "responsible",
                     "区行政审批服务局": "lead", "区委办公室": "responsible", "区政府办公室": "responsible"}


@pytest.mark.parametrize(("text", "want"), [
    ("由区纪委监委牵头,区委组织部、区财政局配合,开展专项检查。",
     {"区纪委监委": "lead", "区委组织部": "participant", "区财政局": "participant"}),
    ("牵头单位:区发改局;责任单位:区财政局、区审计局。",
     {"区发改局": "lead", "区财政局": "responsible", "区审计局": "responsible"}),
    ("由区住建局、区城管局负责,每月通报进展。", {"区住建局": "responsible", "区城管局": "responsible"}),
    ("按照市国资委要求,区国资办完成改制。", {"市国资委": "mentioned", "区国资办": "participant"}),
    ("我区被中央依法治国办命名为示范区。", {"中央依法治国办": "mentioned"}),
    ("区市政管理处更名为区市政设施维护中心。", {"区市政管理处": "mentioned", "区市政设施维护中心": "participant"}),
    ("针对区审计局在审计中发现的问题,区财政局完成整改。", {"区审计局": "mentioned", "区财政局": "participant"}),
])
def test_roles_from_the_words_around_the_names(text: str, want: dict[str, str]) -> None:
    assert _bodies(text) == want


def test_a_body_named_twice_is_listed_once_in_its_fullest_form() -> None:
    assert _bodies("区委常委会专题研究,常委会会议听取汇报。") == {"区委常委会": "participant"}
    found = bodies_in("纪工委与机关事务服务中心联合检查,开发区纪工委牵头督办。", 0, 29)
    assert [(b.name, b.role) for b in found] == [("机关事务服务中心", "participant"), ("开发区纪工委", "lead")]
    assert all("纪工委与机关事务服务中心联合检查,开发区纪工委牵头督办。"[b.span[0]:b.span[1]] == b.name for b in found)


def test_the_strongest_role_of_a_body_named_twice() -> None:
    """招商信息由区投资促进局“一口收集”;项目由区投资促进局跟进: one body, responsible."""
    assert _bodies("招商信息由区投资促进局“一口收集”;项目跟进服务由区投资促进局跟进。") == {"区投资促进局": "responsible"}


# --- one node per body per region -----------------------------------------------------------------

def test_levels_place_bodies_in_their_region() -> None:
    assert body_region("市", TIANQIAO) == "370100" and body_region("省", TIANQIAO) == "370000"
    assert body_region("区", TIANQIAO) == TIANQIAO and body_region(None, TIANQIAO) == TIANQIAO
    assert body_region("中央", TIANQIAO) == "central"
    assert body_region("市", "370100") == "370100"


def test_a_name_opening_with_a_place_belongs_to_that_place(real_reports: list[Report]) -> None:
    """按照济南市基础教育设施建设工作领导小组第五次会议精神要求 (Tianqiao): the city's group, a node under 370100;
    市政设施维护中心 names municipal works, not the city (Qinhuangdao's zone's own centre)."""
    measure = _measure(real_reports, TIANQIAO, "济南市基础教育设施建设工作领导小组")
    body = next(b for b in measure.bodies if b.name == "济南市基础教育设施建设工作领导小组")
    assert body.region is not None and body.region.code == "370100" and body.role == "mentioned"
    quads = report_rdf(next(r for r in real_reports if r.committee.region.code == TIANQIAO)).quads
    assert any(q.object == organisation_iri(body.name, "370100") for q in quads)
    assert [b.level for b in bodies_in("为市政设施维护中心配齐正职。", 0, 14)] == [None]


def test_the_level_carries_over_an_enumeration() -> None:
    """市纪委、人社局: the second is the city's too (its name stays as written)."""
    found = bodies_in("市纪委、人社局联合开展检查。", 0, 14)
    assert [(b.name, b.level) for b in found] == [("市纪委", "市"), ("人社局", "市")]


def test_the_same_body_in_two_reports_of_one_region_is_one_node(real_reports: list[Report]) -> None:
    """Two reports of Gulou (the real one and a later one with another date) link 区纪委监委 to one node, with one
    name and region; the city's 市政府 is a node of the city."""
    report = next(r for r in real_reports if r.committee.region.code == GULOU)
    first = report_rdf(report)
    later = report_rdf(_later(report))
    assert first.graph != later.graph
    store = Store()
    store.extend(first.quads + later.quads)
    roles = [NamedNode(KG + name) for name in ROLE_PROPERTIES.values()]  # kg:namesOrganisation is any of them
    body = organisation_iri("区纪委监委", GULOU)
    naming = {q.graph_name for role in roles for q in store.quads_for_pattern(None, role, body)}
    assert naming == {first.graph, later.graph}  # measures of both reports name the one node
    assert len(list(store.quads_for_pattern(body, NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), None,
                                            first.graph))) == 1
    city = organisation_iri("市政府", "320300")
    assert any(q for role in roles for q in store.quads_for_pattern(None, role, city))


def _later(report: Report) -> Report:
    import copy
    import datetime as dt

    later = copy.deepcopy(report)
    assert later.signed is not None
    later.signed = later.signed + dt.timedelta(days=365)
    return later


def test_every_body_named_has_one_role_edge(store: Store) -> None:
    roles = " ".join(f"<{KG}{p}>" for p in ROLE_PROPERTIES.values())
    rows = store.query(f"""
        SELECT ?m ?o (COUNT(?p) AS ?n) WHERE {{ VALUES ?p {{ {roles} }} ?m ?p ?o }} GROUP BY ?m ?o""",
                       use_default_graph_as_union=True)
    found = {(row["m"].value, row["o"].value): int(row["n"].value) for row in rows}  # type: ignore[union-attr]
    assert found and set(found.values()) == {1}
    assert all(iri.startswith(ID + "org/") for _, iri in found)
    assert not any(store.quads_for_pattern(None, NamedNode(KG + "namesOrganisation"), None))  # implied, not written


def test_shapes_catch_a_body_with_two_roles(real_reports: list[Report]) -> None:
    """SHACL: a body named by a measure has one role there (and the data as built conforms)."""
    from kg.validate import load_shapes, validate_graph

    rdf = report_rdf(next(r for r in real_reports if r.committee.region.code == TIANQIAO))
    store = Store()
    store.extend(rdf.quads)
    shapes, constraints = load_shapes()
    assert validate_graph(store, rdf.graph, shapes, constraints).conforms
    lead = next(q for q in rdf.quads if q.predicate.value == KG + "leadBody")
    store.add(Quad(lead.subject, NamedNode(KG + "participantBody"), lead.object, rdf.graph))
    report = validate_graph(store, rdf.graph, shapes, constraints)
    assert not report.conforms and any("角色" in v.message for v in report.violations)


# --- properties -------------------------------------------------------------------------------

_POOL = ["区纪委监委", "区委组织部", "区财政局", "区审计局", "区人社局", "区委编办", "区行政审批服务局", "区住建局",
         "区委改革办", "区政府督查室"]
_VERBS = {"由{}负责。": "responsible", "由{}牵头,逐项推进。": "lead", "组织{}开展自查。": "participant"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_POOL), min_size=2, max_size=5, unique=True), st.randoms(use_true_random=False),
       st.sampled_from(sorted(_VERBS)), st.sampled_from(["、", "和"]))
def test_reordering_an_enumeration_keeps_its_bodies_and_roles(names: list[str], rnd: object, frame: str,
                                                             last: str) -> None:
    """Any order of a list of bodies gives the same bodies with the same role; each span holds its name."""
    shuffled = names[:]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    results = []
    for order in (names, shuffled):
        listed = "、".join(order[:-1]) + last + order[-1]
        text = frame.format(listed)
        found = bodies_in(text, 0, len(text))
        assert all(text[b.span[0]:b.span[1]] == b.name for b in found)
        results.append({b.name: b.role for b in found})
    assert results[0] == results[1] == dict.fromkeys(names, _VERBS[frame])


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="区市委局办组党政府部中心、和及由对向在,。的常书记各相关", max_size=40))
def test_any_text_gives_bodies_within_it(text: str) -> None:
    """Spans lie inside the text and hold the name (a leading 中共 dropped); roles are known ones; names are unique."""
    found: list[Body] = bodies_in(text, 0, len(text))
    assert len({b.name for b in found}) == len(found)
    for body in found:
        assert 0 <= body.span[0] < body.span[1] <= len(text)
        assert text[body.span[0]:body.span[1]].endswith(body.name) and body.role in ROLES
