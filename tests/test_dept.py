"""The 部门整体绩效目标 sheet: generated from the spec, read back by its names, evaluated by a real
LibreOffice, left out with --parts projects, and absent from workbooks of the previous version."""
from __future__ import annotations

import json
from decimal import Decimal

import openpyxl
import pytest
import yaml
from support import PASSWORD, REPO, convert
from typer.testing import CliRunner

from xltool.check.checker import check_paths
from xltool.cli import app
from xltool.read.reader import read_workbook
from xltool.template.distlist import ListError, load_units
from xltool.template.fill import fill_workbook, seed_row
from xltool.template.generate import MANIFEST_NAME, generate
from xltool.template.meta import Meta
from xltool.template.spec import load_framework, load_spec

DEPT = "部门整体绩效目标"
SEED = REPO / "examples/returns/484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填.xlsx"
SEED_DATA = yaml.safe_load((REPO / "examples/seed_2025_484001.yaml").read_text("utf-8"))


def _names(ws) -> dict[str, str]:
    return {n: next(iter(d.destinations))[1].replace("$", "") for n, d in ws.defined_names.items()}


def _meta(wb) -> Meta:
    return Meta.from_rows(wb["xt_meta"].iter_rows(values_only=True))


def test_sheet_follows_the_spec(linxi, spec):
    wb = openpyxl.load_workbook(linxi)
    assert wb.sheetnames[:3] == ["填报说明", DEPT, "1.安保、环保、安全生产、应急、食药监管"]
    ws = wb[DEPT]
    d = spec.dept
    assert _names(ws) == {
        "xt_dept_budget_total": d.fields["budget_total"].range.top_left,
        "xt_dept_goal": d.fields["goal"].range.top_left,
        "xt_dept_measures": d.fields["measures"].range.top_left,
        "xt_dept_areas": d.areas.body.a1, "xt_dept_indicators": d.indicators.body.a1}
    assert d.areas.rows >= 10 and d.indicators.rows >= 80
    assert ws["A1"].value == "2025年部门整体绩效目标表"
    # 预算总额: the sum of the unit's projects on the list, locked
    total = sum(p.total for p in load_units(REPO / "examples/distribution.csv")[0].projects)
    cell = ws[d.fields["budget_total"].range.top_left]
    assert Decimal(str(cell.value)) == total == Decimal("171000.00")
    assert cell.protection.locked and ws.protection.sheet
    for key in ("goal", "measures"):
        assert ws[d.fields[key].range.top_left].protection.locked is False
    for table in (d.areas, d.indicators):
        for key in table.keys:
            assert ws[table.column(key).a1.split(":")[0]].protection.locked is False
    headers = [ws.cell(d.indicators.header_row, c + 1).value for c in range(8)]
    assert headers == ["所属分项", "一级指标", "二级指标", "三级指标", "符号", "指标值", "计量单位",
                       "指标值确定依据"]
    meta = _meta(wb)
    assert (meta.template_version, meta.dept_sheet, meta.dept_framework) == ("2025.2", DEPT, "seed")
    assert (DEPT, "B3", "171000.00") in meta.cells and (DEPT, "A1", "2025年部门整体绩效目标表") in meta.cells
    # its paragraphs are in 填报说明
    cover = " ".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value)
    assert "部门整体绩效目标" in cover and "所属分项" in cover


def test_dropdowns_on_the_sheet(linxi, spec):
    ws = openpyxl.load_workbook(linxi)[DEPT]
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    area = dvs["A20:A99"]
    assert (area.type, area.formula1) == ("list", "$A$8:$A$17") and area.showErrorMessage
    assert dvs["B20:B99"].formula1 == "xt_dept_tier1"
    assert dvs["C20:C99"].formula1 == 'INDIRECT("xt_dept_t2_"&MATCH($B20,xt_dept_tier1,0))'
    assert dvs["E20:E99"].formula1 == "xt_ops" and dvs["G20:G99"].formula1 == "xt_units"
    assert dvs["H20:H99"].formula1 == "xt_basis" and not dvs["H20:H99"].showErrorMessage
    assert "xt_qual" in dvs["F20:F99"].formula1


def test_seed_part1_is_read_back_as_transcribed():
    """The seed's Part 1 in the example return, read by the reader, is the seed's text."""
    dept = read_workbook(SEED).dept
    part1 = SEED_DATA["dept"]
    assert dept.goal.value == part1["goal"] and dept.measures.value == part1["measures"]
    assert [(a.name.value, a.goal.value) for a in dept.areas] == \
        [(a["name"], a["goal"]) for a in part1["areas"]]
    want = [(a["name"], r[0], r[1], r[2], r[3]) for a in part1["areas"] for r in a["indicators"]]
    got = []
    for row in dept.indicators:
        c = {k: row[k].value for k in row.cells}
        value = f"{c['operator']}{c['value']}%" if c["operator"] == "≥" else c["value"]
        assert c["unit"] == ("百分比" if c["operator"] == "≥" else None)
        got.append((c["area"], c["tier1"], c["tier2"], c["tier3"], value))
    assert got == want and len(got) == 62
    assert len(dept.areas) == 6


def test_basic_expenditure_column(tmp_path):
    lst = tmp_path / "名单.csv"
    lst.write_text("单位编码,单位名称,项目编码,项目名称,预算数,财政资金,其他资金,基本支出\n"
                   "484001,林西镇,13022925P00JXC419936N,甲,20000,20000,,1250000.5\n"
                   "484001,林西镇,13022925P00JXC4196067,乙,81000,81000,,\n"
                   "489002,西岭乡,,,,,,\n", encoding="utf-8")
    batch = generate(tmp_path / "out", list_path=lst, year=2025, password=PASSWORD)
    wb = openpyxl.load_workbook(batch.out_dir / batch.files[0].file)
    ws = wb[DEPT]
    assert _names(ws)["xt_dept_budget_basic"] == "E3"
    assert ws["E3"].value == 1250000.5 and ws["B3"].value == 101000
    assert (DEPT, "E3", "1250000.50") in _meta(wb).cells
    other = openpyxl.load_workbook(batch.out_dir / batch.files[1].file)[DEPT]
    assert "xt_dept_budget_basic" not in other.defined_names   # no 基本支出, no projects
    assert other["B3"].value is None and other["E3"].value is None
    lst.write_text("单位编码,单位名称,项目编码,项目名称,预算数,财政资金,其他资金,基本支出\n"
                   "484001,林西镇,P1,甲,1,1,,100\n484001,林西镇,P2,乙,1,1,,200\n"
                   "484002,某乡,P3,丙,1,1,,很多\n", encoding="utf-8")
    with pytest.raises(ListError) as exc:
        load_units(lst)
    assert any("基本支出 200.00 与第 2 行的 100.00 不一致" in p for p in exc.value.problems)
    assert any("基本支出“很多”不是有效的金额" in p for p in exc.value.problems)


def _fill_projects(src, dest):
    units = load_spec().lists.units
    projects = {f"{i}.{p['name']}": {"plan": p["plan"], "fields": {"goal": p["goal"]},
                                     "indicators": [seed_row(r, units) for r in p["indicators"]]}
                for i, p in enumerate(SEED_DATA["projects"], start=1)}
    fill_workbook(src, dest, cover={"contact": "林西镇财政所", "phone": "0315-0000000"},
                  projects=projects)
    return dest


def test_parts_projects_leaves_the_sheet_out(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["generate", str(REPO / "examples/distribution.csv"), "-o",
                                 str(tmp_path / "out"), "--year", "2025", "--parts", "projects"])
    assert result.exit_code == 0, result.output
    path = next((tmp_path / "out").glob("484001*.xlsx"))
    wb = openpyxl.load_workbook(path)
    assert DEPT not in wb.sheetnames and wb.sheetnames[1].startswith("1.")
    assert "xt_dept_tier1" not in wb.defined_names
    cover = " ".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value)
    assert "部门整体绩效目标" not in cover
    assert _meta(wb).dept_sheet is None
    report = check_paths([_fill_projects(path, tmp_path / "filled.xlsx")],
                         ignore=["XT8"])   # the seed's weak targets are not what this is about
    assert [(i.code, i.cell) for i in report.files[0].issues] == []
    bad = runner.invoke(app, ["generate", "--blank", "-o", str(tmp_path / "b"), "--year",
                              "2025", "--parts", "部门"])
    assert bad.exit_code == 2 and "--parts 只能是 both 或 projects" in bad.output
    assert "Traceback" not in bad.output


def test_dept_framework_option(tmp_path):
    batch = generate(tmp_path, list_path=REPO / "examples/distribution.csv", year=2025,
                     password=PASSWORD, dept_framework=load_framework("mof2021"))
    wb = openpyxl.load_workbook(batch.out_dir / batch.files[0].file)
    assert _meta(wb).dept_framework == "mof2021" and _meta(wb).framework == "seed"
    lists = wb["xt_lists"]
    header = [c.value for c in lists[1]]
    tier1 = header.index("xt_dept_tier1")
    assert [lists.cell(r, tier1 + 1).value for r in range(2, 6)] == \
        load_framework("mof2021").tier1_names
    # the dept sheet's 二级 is checked against its own framework
    path = batch.out_dir / batch.files[0].file
    dest = tmp_path / "filled.xlsx"
    row = ["党政综合", "成本指标", "经济成本指标", "办公成本", "≤", 100, "万元", None]
    fill_workbook(path, dest, dept={"areas": [["党政综合", "保障机关正常运转。"]],
                                    "indicators": [row]})
    codes = {i.code for i in check_paths([dest]).files[0].issues}
    assert "XT711" not in codes and "XT712" not in codes and "XT709" in codes


def test_previous_template_version_still_reads_and_checks(tmp_path):
    """A workbook of template 2025.1 (no 部门整体绩效目标 sheet) checks exactly as before."""
    old = load_spec(REPO / "templates" / "project-2025.1.yaml")
    assert old.version == "2025.1" and old.dept is None
    batch = generate(tmp_path / "old", list_path=REPO / "examples/distribution.csv", year=2025,
                     password=PASSWORD, spec=old)
    path = batch.out_dir / next(g.file for g in batch.files if g.unit_code == "484001")
    wb = openpyxl.load_workbook(path)
    assert DEPT not in wb.sheetnames and _meta(wb).template_version == "2025.1"
    assert "dept_sheet" not in [r[0] for r in wb["xt_meta"].iter_rows(values_only=True)]
    filled = _fill_projects(path, tmp_path / "old-filled.xlsx")
    read = read_workbook(filled)
    assert read.meta_problem is None and read.dept is None and len(read.projects) == 5
    assert [(i.code, i.cell) for i in check_paths([filled], ignore=["XT8"]).files[0].issues] == []
    # the old version's mistakes are still found
    wb = openpyxl.load_workbook(filled)
    wb["1.安保、环保、安全生产、应急、食药监管"]["F10"] = 120
    wb.save(tmp_path / "old-bad.xlsx")
    issues = check_paths([tmp_path / "old-bad.xlsx"], ignore=["XT8"]).files[0].issues
    assert [(i.code, i.cell) for i in issues] == [("XT503", "F10")]
    manifest = json.loads((batch.out_dir / MANIFEST_NAME).read_text("utf-8"))
    assert manifest["template_version"] == "2025.1"


def test_missing_dept_sheet_is_reported(tmp_path):
    wb = openpyxl.load_workbook(SEED)
    del wb[DEPT]
    wb.save(tmp_path / "x.xlsx")
    issues = check_paths([tmp_path / "x.xlsx"]).files[0].issues
    assert [(i.code, i.message) for i in issues if i.code == "XT004"] == \
        [("XT004", f"找不到工作表“{DEPT}”，可能被删除或改名。请恢复原工作表名称，不要增删工作表。")]
    assert not [i for i in issues if i.code.startswith("XT7")]


def test_area_and_tier2_dropdowns_evaluate_in_libreoffice(tmp_path):
    """Evaluate the file's own validation formulas beside the seed's indicators: 所属分项 offers
    the areas typed above, 二级 the children of the row's 一级 in the department framework."""
    wb = openpyxl.load_workbook(SEED)
    ws = wb[DEPT]
    ws.protection.sheet = False
    dvs = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    ws["J20"] = f'=_xlfn.TEXTJOIN("|",TRUE,{dvs["A20:A99"]})'
    framework = load_framework("seed")
    for i, name in enumerate(framework.tier1_names):
        ws[f"B{90 + i}"] = name
        ws[f"J{90 + i}"] = f'=_xlfn.TEXTJOIN("|",TRUE,' \
                           f'{dvs["C20:C99"].replace("$B20", f"$B{90 + i}")})'
    ws["A14"] = "新增分项"            # typed after the form left the county: offered at once
    probe = tmp_path / "probe.xlsx"
    wb.save(probe)
    computed = openpyxl.load_workbook(convert(probe, "xlsx", tmp_path / "out"), data_only=True)
    out = computed[DEPT]
    areas = [a["name"] for a in SEED_DATA["dept"]["areas"]]
    assert out["J20"].value == "|".join(areas + ["新增分项"])
    assert [out[f"J{90 + i}"].value for i in range(len(framework.tier1_names))] == \
        ["|".join(framework.children_of(t)) for t in framework.tier1_names]


def test_readme_documents_every_defined_name(tmp_path):
    """The xt_* names are a public contract: each one a workbook carries is in the README."""
    import re
    lst = tmp_path / "名单.csv"
    lst.write_text("单位编码,单位名称,项目编码,项目名称,预算数,财政资金,其他资金,基本支出\n"
                   "484001,林西镇,13022925P00JXC419936N,甲,20000,20000,,100\n", encoding="utf-8")
    batch = generate(tmp_path / "out", list_path=lst, year=2025, password=PASSWORD)
    wb = openpyxl.load_workbook(batch.out_dir / batch.files[0].file)
    names = set(wb.defined_names) | {n for ws in wb.worksheets for n in ws.defined_names}
    readme = (REPO / "README.md").read_text("utf-8")
    documented = {re.sub(r"_\d+$", "_<n>", n) for n in names}
    missing = sorted(n for n in documented if f"`{n}`" not in readme)
    assert not missing, f"README does not document {missing}"
    assert {"xt_dept_goal", "xt_dept_areas", "xt_dept_indicators", "xt_dept_measures",
            "xt_dept_budget_total", "xt_dept_budget_basic", "xt_dept_tier1"} <= names
