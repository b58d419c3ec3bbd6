"""The county settings file (县设置.yaml) end to end: list template, generate, dropdown, check."""
from __future__ import annotations

import json
import shutil

import openpyxl
import pytest
from support import EXAMPLE_LIST, convert, xml_of
from typer.testing import CliRunner

from xltool.check.checker import check_paths, load_expected
from xltool.cli import app
from xltool.template.fill import fill_workbook
from xltool.template.generate import MANIFEST_NAME
from xltool.template.settings import SettingsError, load_settings

runner = CliRunner()
SETTINGS = """\
计量单位:
  增加: [个百分点, 座, 立方米]
  列表外的单位: 提醒
满意度门槛: 85
不用的规则: [XT106]
"""
INDICATORS = [
    ["产出指标", "数量指标", "新建公厕数量", "", "≥", 3, "座", "计划标准"],
    ["产出指标", "数量指标", "清运量", "", "≥", 1200, "立方米", "计划标准"],
    ["产出指标", "质量指标", "覆盖率提高", "", "≥", 5, "个百分点", "计划标准"],
    ["产出指标", "时效指标", "完成时限", "", "≤", 12, "车次", "计划标准"],   # not on any list
    ["效益指标", "社会效益指标", "环境改善", "", "定性", "优", None, "计划标准"],
    ["满意度指标", "服务对象满意度指标", "群众满意度", "", "≥", 88, "百分比", "计划标准"],
    ["满意度指标", "服务对象满意度指标", "商户满意度", "", "≥", 80, "百分比", "计划标准"],
]


def _round(tmp_path, settings: str | None):
    """A county folder: the example list (and settings), generated, one return filled."""
    county = tmp_path / "县局"
    county.mkdir()
    shutil.copy(EXAMPLE_LIST, county / "名单.csv")
    if settings is not None:
        (county / "县设置.yaml").write_text(settings, encoding="utf-8")
    result = runner.invoke(app, ["generate", str(county / "名单.csv"), "-o", str(county / "下发"),
                                 "--year", "2025", "--password", "county-2025"])
    assert result.exit_code == 0, result.output
    src = next((county / "下发").glob("489001_*.xlsx"))
    sheet = _first_project(src)
    returned = tmp_path / "收回" / src.name
    returned.parent.mkdir()
    fill_workbook(src, returned, projects={sheet: {"indicators": INDICATORS}})
    return county, src, returned, sheet


def _first_project(path):
    return next(n for n in openpyxl.load_workbook(path, read_only=True).sheetnames
                if n.startswith(("1.", "项目1")))


def _sheet_xml(path):
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    return xml_of(path, f"xl/worksheets/sheet{names.index(_first_project(path)) + 1}.xml")


def _issues(report, code):
    return sorted((i.cell, i.severity) for f in report.files for i in f.issues if i.code == code)


def _unit_list(path):
    wb = openpyxl.load_workbook(path)
    (title, ref), = list(wb.defined_names["xt_units"].destinations)
    return [c.value for row in wb[title][ref.replace("$", "")] for c in row]


def test_county_units_are_in_the_dropdown_and_accepted_by_the_check(tmp_path):
    county, src, returned, sheet = _round(tmp_path, SETTINGS)
    manifest = json.loads((county / "下发" / MANIFEST_NAME).read_text("utf-8"))
    assert manifest["settings"]["计量单位"]["增加"] == ["个百分点", "座", "立方米"]
    assert manifest["settings"]["满意度门槛"] == "85"
    units = _unit_list(src)
    assert units[0] == "百分比" and units[-3:] == ["个百分点", "座", "立方米"]
    # the unit dropdown warns (Excel asks "continue?") instead of refusing
    sheet_xml = _sheet_xml(src)
    assert 'errorStyle="warning"' in sheet_xml and "xt_units" in sheet_xml

    result = runner.invoke(app, ["check", str(returned.parent), "--units",
                                 str(county / "下发" / MANIFEST_NAME), "--json", "-"])
    report = json.loads(result.stdout)
    issues = [(i["code"], i["cell"], i["severity"]) for i in report["files"][0]["issues"]]
    assert ("XT504", "G13", "warning") in issues            # 车次: warned, as the county chose
    assert not [i for i in issues if i[0] == "XT504" and i[1] != "G13"]   # 座 立方米 个百分点
    assert [i for i in issues if i[0] == "XT506"] == [("XT506", "F16", "warning")]  # 80 < 85
    assert "低于 85%" in json.dumps(report, ensure_ascii=False)
    assert not [i for i in issues if i[0] == "XT106"]       # the county does not use it


def test_the_same_return_without_settings_refuses_those_units(tmp_path):
    county, src, returned, sheet = _round(tmp_path, None)
    assert "座" not in _unit_list(src)
    assert 'errorStyle="warning"' not in _sheet_xml(src)
    report = check_paths([returned.parent], units=load_expected(county / "下发" / MANIFEST_NAME))
    assert [c for c, s in _issues(report, "XT504")] == ["G10", "G11", "G12", "G13"]
    assert {s for c, s in _issues(report, "XT504")} == {"error"}
    assert [c for c, s in _issues(report, "XT506")] == ["F15", "F16"]   # 88 and 80 < 90


def test_settings_survive_a_libreoffice_resave(tmp_path):
    county, src, returned, sheet = _round(tmp_path, SETTINGS)
    resaved = convert(returned, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    again = tmp_path / "收回2"
    again.mkdir()
    shutil.move(resaved, again / returned.name)
    from xltool.template.settings import apply_rules, settings_from_dict
    from xltool.check.rules import load_rules
    manifest = json.loads((county / "下发" / MANIFEST_NAME).read_text("utf-8"))
    rules = apply_rules(load_rules(), settings_from_dict(manifest["settings"]))
    report = check_paths([again], rules=rules, ignore=["XT106"])
    assert _issues(report, "XT504") == [("G13", "warning")]
    assert not _issues(report, "XT010")     # the county's lists are the workbook's own lists


def test_list_template_then_settings_beside_it(tmp_path):
    result = runner.invoke(app, ["generate", "--list-template", str(tmp_path / "名单.xlsx")])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "名单.xlsx").worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == ["单位编码", "单位名称", "项目编码", "项目名称", "预算数", "财政资金",
                      "其他资金", "资金用途", "基本支出"]
    assert ws["A2"].value == "484001" and "示例" in ws["B2"].value
    settings = load_settings(tmp_path / "县设置.yaml")      # the commented file is valid as is
    assert "座" in settings.units.added and settings.units.outside == "禁止"
    # the example row must be deleted before generating
    result = runner.invoke(app, ["generate", str(tmp_path / "名单.xlsx"), "-o",
                                 str(tmp_path / "下发"), "--year", "2025"])
    assert result.exit_code == 1 and "示例行，请删除整行" in result.output
    # filled in the way a person does it: example row replaced by a real one
    wb = openpyxl.load_workbook(tmp_path / "名单.xlsx")
    ws = wb.worksheets[0]
    for col, value in enumerate(["489003", "示例县南山镇人民政府本级", "P489003001", "道路养护",
                                 50000, 50000, 0, "村道养护"], start=1):
        ws.cell(2, col).value = value
    wb.save(tmp_path / "名单.xlsx")
    result = runner.invoke(app, ["generate", str(tmp_path / "名单.xlsx"), "-o",
                                 str(tmp_path / "下发"), "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "县设置" in result.output
    out = next((tmp_path / "下发").glob("489003_*.xlsx"))
    assert "座" in _unit_list(out)
    again = runner.invoke(app, ["generate", "--list-template", str(tmp_path / "名单.xlsx")])
    assert again.exit_code == 2 and "已经存在" in again.output


@pytest.mark.parametrize("text, message", [
    ("计量单位:\n  增加: [座]\n  列表外的单位: 允许\n", "只能写 禁止 或 提醒"),
    ("满意度门槛: 120\n", "应在 0 到 100 之间"),
    ("计量单位单位: [座]\n", "不是可用的设置项"),
    ("计量单位:\n\t增加: [座]\n", "格式有误"),
])
def test_a_bad_settings_file_is_a_chinese_message(tmp_path, text, message):
    path = tmp_path / "县设置.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_settings(path)
    result = runner.invoke(app, ["generate", str(EXAMPLE_LIST), "-o", str(tmp_path / "o"),
                                 "--year", "2025", "--settings", str(path)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_unknown_disabled_rule_is_refused(tmp_path):
    path = tmp_path / "县设置.yaml"
    path.write_text("不用的规则: [XT999]\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path), "--settings", str(path),
                                 "--units", str(EXAMPLE_LIST)])
    assert result.exit_code == 2 and "XT999" in result.output


def test_county_units_reach_the_export(tmp_path):
    """End to end: a unit the county added (座, 立方米, 个百分点) is exported as typed."""
    county, src, returned, sheet = _round(tmp_path, SETTINGS)
    out = tmp_path / "汇编"
    result = runner.invoke(app, ["export", str(returned.parent), "--units",
                                 str(county / "下发" / MANIFEST_NAME), "-o", str(out),
                                 "--include-errors", "-q", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out / "绩效目标汇总.xlsx", read_only=True)["项目指标"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    got = [(r[header.index("三级指标")], r[header.index("指标值")], r[header.index("计量单位")])
           for r in body]
    assert ("新建公厕数量", 3, "座") in got
    assert ("清运量", 1200, "立方米") in got
    assert ("覆盖率提高", 5, "个百分点") in got
