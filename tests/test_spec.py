"""The template spec and the frameworks: what loads, what is refused."""
from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError
from support import REPO

from xltool.template.cells import CellRange, cell_name, col_index, col_letters, parse_cell
from xltool.template.spec import INDICATOR_KEYS, TemplateSpec, load_framework, load_spec


def _data():
    return yaml.safe_load((REPO / "templates" / "project.yaml").read_text("utf-8"))


def test_cell_names_round_trip():
    for i in (0, 1, 25, 26, 27, 701, 702, 16383):
        assert col_index(col_letters(i)) == i
    assert (col_letters(0), col_letters(26), col_letters(16383)) == ("A", "AA", "XFD")
    assert parse_cell("$H$29") == (28, 7) and cell_name(28, 7) == "H29"
    rng = CellRange.parse("B3:D3")
    assert (rng.a1, rng.top_left, rng.is_cell, len(list(rng.cells()))) == ("B3:D3", "B3", False, 3)
    assert CellRange.parse("C4").absolute("1.项目 名") == "'1.项目 名'!$C$4"
    with pytest.raises(ValueError):
        CellRange.parse("3B")


def test_bundled_spec_layout():
    spec = load_spec()
    assert spec.checkpoints == ["3月底", "6月底", "10月底", "12月底"]
    assert [c.a1 for c in spec.plan_cells] == ["B7", "C7", "D7", "E7"]
    assert spec.indicator_body.a1 == "A10:H29" and spec.indicator_header.a1 == "A9:H9"
    assert [c.key for c in spec.project.indicators.columns] == list(INDICATOR_KEYS)
    assert spec.indicator_column("value").a1 == "F10:F29"


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(colour="red"), "Extra inputs"),
    (lambda d: d["project"]["fields"]["goal"].update(range="A8"), "overlaps"),
    (lambda d: d.update(checkpoints=[]), "checkpoints"),
    (lambda d: d["project"]["indicators"]["columns"].pop(), "in this order"),
    (lambda d: d["project"]["fields"]["goal"].update(prompt=["标题", "长" * 256]), "255"),
    (lambda d: d["project"]["fields"].pop("purpose"), "purpose"),
    (lambda d: d["project"].update(title_range="A1:ZZ"), "cell reference"),
])
def test_bad_specs_are_refused(mutate, message):
    data = _data()
    mutate(data)
    with pytest.raises(ValidationError, match=message):
        TemplateSpec.model_validate(data)


def test_frameworks():
    seed, mof = load_framework("seed"), load_framework("mof2021")
    assert seed.tier1_names == ["产出指标", "效益指标", "满意度指标"]
    assert "成本指标" in seed.children_of("产出指标")
    assert "可持续影响指标" in seed.children_of("效益指标")
    assert "成本指标" in mof.tier1_names
    assert mof.children_of("成本指标") == ["经济成本指标", "社会成本指标", "生态环境成本指标"]
    assert "成本指标" not in mof.children_of("产出指标")
    satisfaction = [c for t in seed.tiers for c in t.children if c.satisfaction]
    assert [c.name for c in satisfaction] == ["服务对象满意度指标"]


@pytest.mark.parametrize("call, expected", [
    (lambda t: t.areas.body, "A8:B17"),
    (lambda t: t.areas.extent, "A8:H17"),
    (lambda t: t.areas.header_cell("name"), "A7"),
    (lambda t: t.areas.header_cell("goal"), "B7:H7"),
    (lambda t: t.areas.cell(7, "goal"), "B8:H8"),
    (lambda t: t.areas.cell(16, "name"), "A17"),
    (lambda t: t.areas.column("goal"), "B8:B17"),
    (lambda t: t.indicators.body, "A20:H99"),
    (lambda t: t.indicators.extent, "A20:H99"),
    (lambda t: t.indicators.header_cell("basis"), "H19"),
    (lambda t: t.indicators.column("area"), "A20:A99"),
    (lambda t: t.indicators.column("value"), "F20:F99"),
    (lambda t: t.indicators.cell(98, "unit"), "G99"),
])
def test_dept_table_cells(call, expected):
    assert call(load_spec().dept).a1 == expected


def _dept_data():
    data = _data()
    return data, data["dept"]


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(colour="red"), "Extra inputs"),
    (lambda d: d["fields"]["measures"].update(range="A99:H99"), "overlaps"),
    (lambda d: d["areas"].update(rows=12), "overlaps"),
    (lambda d: d["areas"]["columns"][0].update(span=2), "only the last column"),
    (lambda d: d["indicators"]["columns"].reverse(), "department indicator columns"),
    (lambda d: d["fields"].pop("measures"), "department fields"),
    (lambda d: d["indicators"].update(first_row=19), "below its header"),
])
def test_dept_spec_mistakes_are_refused(mutate, message):
    data, dept = _dept_data()
    mutate(dept)
    with pytest.raises(ValidationError, match=message):
        TemplateSpec.model_validate(data)


def test_previous_version_is_bundled():
    from xltool.template.templates import bundled_specs
    specs = bundled_specs()
    assert specs[("xt-project", "2025.1")].dept is None
    assert specs[("xt-project", "2025.2")].dept.sheet == "部门整体绩效目标"
