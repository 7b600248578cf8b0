"""Division lookup from the list kg ships (kg/data/china_divisions.txt, jionlp's three upper levels).

The codes below are the ones the four real reports and the development set's openings name; they
were jionlp's when kg read its dictionary, and must stay so.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pytest

from kg.model import Region
from kg.parse.region import _divisions, _tree, lookup_region

PLACES = [
    ("秦皇岛经济技术开发区", Region("河北省", "秦皇岛市", "秦皇岛市经济技术开发区", "130371")),
    ("河北省秦皇岛市经济技术开发区", Region("河北省", "秦皇岛市", "秦皇岛市经济技术开发区", "130371")),
    ("徐州市鼓楼区", Region("江苏省", "徐州市", "鼓楼区", "320302")),
    ("西安市莲湖区", Region("陕西省", "西安市", "莲湖区", "610104")),
    ("济南市天桥区", Region("山东省", "济南市", "天桥区", "370105")),
    ("上海市徐汇区", Region("上海市", "上海市", "徐汇区", "310104")),
    ("静安区", Region("上海市", "上海市", "静安区", "310106")),
    ("黄浦区", Region("上海市", "上海市", "黄浦区", "310101")),
    ("杭州市西湖区", Region("浙江省", "杭州市", "西湖区", "330106")),
    ("南京市玄武区", Region("江苏省", "南京市", "玄武区", "320102")),
    ("株洲市荷塘区", Region("湖南省", "株洲市", "荷塘区", "430202")),
    ("广州市南沙区", Region("广东省", "广州市", "南沙区", "440115")),
    ("广元市", Region("四川省", "广元市", None, "510800")),
    ("宿迁市", Region("江苏省", "宿迁市", None, "321300")),
    ("梅州市", Region("广东省", "梅州市", None, "441400")),
    ("武汉市", Region("湖北省", "武汉市", None, "420100")),
    ("许昌市", Region("河南省", "许昌市", None, "411000")),
    ("长春市", Region("吉林省", "长春市", None, "220100")),
    ("广州市", Region("广东省", "广州市", None, "440100")),
    ("河北省", Region("河北省", None, None, "130000")),
    ("克州", Region("新疆维吾尔自治区", "克孜勒苏柯尔克孜自治州", None, "653000")),  # a city's second alias
]


@pytest.mark.parametrize(("place", "region"), PLACES, ids=[p for p, _ in PLACES])
def test_places_the_reports_name_keep_their_codes(place: str, region: Region) -> None:
    assert lookup_region(place) == (region, None)


def test_a_county_name_several_cities_have_is_ambiguous() -> None:
    region, warning = lookup_region("鼓楼区")
    assert region == Region() and warning is not None
    assert "南京市/开封市/徐州市/福州市" in warning


def test_the_shipped_list_has_every_level_with_six_digit_codes() -> None:
    provinces, cities, counties = _divisions()
    assert (len(provinces), len(cities), len(counties)) == (34, 350, 3043)
    assert all(len(d.code) == 6 and d.code.isdigit() for level in (provinces, cities, counties) for d in level)
    zones = [d for d in counties if "开发区" in (d.county or "")]
    assert len(zones) > 80  # statistical codes: development zones are counties here
    text = resources.files("kg").joinpath("data/china_divisions.txt").read_text(encoding="utf-8")
    assert "\t\t秦皇岛市经济技术开发区\t130371\t" in text  # shipped as package data


def test_the_list_is_read_as_jionlp_reads_it() -> None:
    lines = ["# a comment", "甲省\t110000\t甲", "\t乙市\t110100\t乙/乙城", "\t\t丙区\t110101\t丙",
             "\t\t\t某街道", "\t\t坏行\t110102", "\t\t丙区\t110109\t丙", "\t丁市\t110200\t丁"]
    tree = _tree(lines)
    assert tree["甲省"]["_admin_code"] == "110000" and tree["甲省"]["_alias"] == "甲"
    assert tree["甲省"]["乙市"]["_alias"] == ["乙", "乙城"] and tree["甲省"]["丁市"]["_alias"] == ["丁"]
    assert tree["甲省"]["乙市"]["丙区"]["_admin_code"] == "110109"  # a later line of the same name wins
    assert "坏行" not in tree["甲省"]["乙市"] and "某街道" not in tree["甲省"]["乙市"]


def test_neither_jionlp_nor_pyvis_is_needed() -> None:
    code = ("import sys; from kg.parse.region import lookup_region; import kg.viz; lookup_region('西安市莲湖区'); "
            "kg.viz._asset('js'); print(sorted(m for m in ('jionlp', 'jiojio', 'numpy', 'pyvis') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
