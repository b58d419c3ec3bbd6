"""Generated workbooks, opened with openpyxl and read as raw XML."""
from __future__ import annotations

import json
import os
import re
from decimal import Decimal

import openpyxl
import pytest
import yaml
from openpyxl.cell.cell import MergedCell
from support import EXAMPLE_LIST, REPO, PASSWORD, sheet_xml_members, xml_of

from xltool.template.cells import CellRange
from xltool.template.distlist import ListError, load_units
from xltool.template.generate import MANIFEST_CSV_NAME, MANIFEST_NAME, GenerateError, generate
from xltool.template.meta import Meta
from xltool.template.protection import legacy_password_hash
from xltool.template.spec import TemplateSpec, load_framework



def project_sheet_names(path):
    wb = openpyxl.load_workbook(path)
    meta = Meta.from_rows(wb["xt_meta"].iter_rows(values_only=True))
    return wb, meta


def resolve(wb, name, sheet=None):
    """(worksheet, CellRange) a defined name points to, read from the file."""
    defn = wb[sheet].defined_names[name] if sheet else wb.defined_names[name]
    (title, ref), = list(defn.destinations)
    return wb[title], CellRange.parse(ref.replace("$", ""))


def values(ws, rng):
    return [ws.cell(r + 1, c + 1).value for r, c in rng.cells()]


# ---- the batch -------------------------------------------------------------------------------

def test_one_workbook_per_unit_and_a_manifest(batch):
    units = load_units(EXAMPLE_LIST)
    assert [g.unit_code for g in batch.files] == [u.code for u in units]
    for g in batch.files:
        assert (batch.out_dir / g.file).is_file()
        assert g.file.startswith(f"{g.unit_code}_") and g.file.endswith("_2025年预算项目绩效目标表.xlsx")
    manifest = json.loads((batch.out_dir / MANIFEST_NAME).read_text("utf-8"))
    assert manifest["schema"] == "xltool.manifest/1"
    assert manifest["template_id"] == "xt-project" and manifest["year"] == 2025
    assert [u["unit_code"] for u in manifest["units"]] == ["484001", "489001", "489002"]
    assert [u["projects"] for u in manifest["units"]] == [5, 2, 0]
    csv_text = (batch.out_dir / MANIFEST_CSV_NAME).read_bytes()
    assert csv_text.startswith(b"\xef\xbb\xbf") and "玉田县林西镇人民政府本级".encode() in csv_text
    assert not list(batch.out_dir.glob(".xltool-*")), "temporary files left behind"


def test_sheets_in_order_with_hidden_lists_and_identity(linxi):
    wb = openpyxl.load_workbook(linxi)
    assert wb.sheetnames[0] == "填报说明"
    assert wb.sheetnames[2:7] == ["1.安保、环保、安全生产、应急、食药监管", "2.残疾人保障金",
                                  "3.河渠清理及河长制", "4.人武、党团妇建设、纪检、宣传经费",
                                  "5.乡镇人大工作站"]
    assert wb["xt_lists"].sheet_state == "veryHidden"
    assert wb["xt_meta"].sheet_state == "veryHidden"
    assert all(wb[n].sheet_state == "visible" for n in wb.sheetnames[:6])


def test_unit_without_projects_gets_blank_sheets(batch):
    g = next(g for g in batch.files if g.unit_code == "489002")
    wb, meta = project_sheet_names(batch.out_dir / g.file)
    assert meta.project_sheets == ["项目1", "项目2", "项目3", "项目4", "项目5"]
    assert meta.unit_name == "示例县西岭乡人民政府本级" and not meta.blank


# ---- pre-filled values, identity -------------------------------------------------------------

def test_seed_values_prefilled_at_the_named_cells(linxi):
    wb = openpyxl.load_workbook(linxi)
    units = {u.code: u for u in load_units(EXAMPLE_LIST)}
    for sheet, project in zip(wb.sheetnames[2:7], units["484001"].projects):
        got = {}
        for key in ("project_code", "project_name", "budget_total", "budget_fiscal",
                    "budget_other", "purpose"):
            ws, rng = resolve(wb, f"xt_{key}", sheet)
            assert ws.title == sheet
            got[key] = ws.cell(rng.row1 + 1, rng.col1 + 1).value
        assert got["project_code"] == project.code and got["project_name"] == project.name
        assert Decimal(str(got["budget_total"])) == project.total
        assert Decimal(str(got["budget_fiscal"])) + Decimal(str(got["budget_other"])) \
            == project.total
        assert got["purpose"] == project.purpose
        assert wb[sheet]["A1"].value == "2025年预算项目绩效目标表"
    assert wb["填报说明"]["B3"].value == "484001"


def test_identity_sheet_records_every_locked_value(linxi, batch):
    wb, meta = project_sheet_names(linxi)
    assert (meta.template_id, meta.template_version, meta.year) == ("xt-project", "2025.2", 2025)
    assert meta.unit_code == "484001" and meta.framework == "seed"
    assert meta.digest == next(g.prefill_digest for g in batch.files if g.unit_code == "484001")
    assert len(meta.cells) > 100
    for sheet, ref, text in meta.cells:
        value = wb[sheet][ref].value
        if isinstance(value, (int, float)):
            value = f"{Decimal(str(value)):.2f}"
        assert str(value) == text, (sheet, ref)
    snap = {(s, r) for s, r, _ in meta.cells}
    assert ("1.安保、环保、安全生产、应急、食药监管", "B3") in snap


def test_tampered_identity_is_detected(linxi):
    wb, meta = project_sheet_names(linxi)
    rows = [list(r) for r in wb["xt_meta"].iter_rows(values_only=True)]
    cell_row = next(r for r in rows if r[0] == "cell" and r[2] == "C4")
    cell_row[3] = "99999.00"
    with pytest.raises(ValueError, match="digest"):
        Meta.from_rows(rows)


# ---- protection ------------------------------------------------------------------------------

def test_every_sheet_protected_and_structure_locked(linxi):
    expected = legacy_password_hash(PASSWORD)
    for name, part in sheet_xml_members(linxi).items():
        xml = xml_of(linxi, part)
        m = re.search(r"<sheetProtection [^>]*>", xml)
        assert m, f"sheet {name} is not protected"
        assert f'password="{expected}"' in m.group(0) and 'sheet="1"' in m.group(0)
    book = xml_of(linxi, "xl/workbook.xml")
    m = re.search(r"<workbookProtection [^>]*/>", book)
    assert m and 'lockStructure="1"' in m.group(0)
    assert f'workbookPassword="{expected}"' in m.group(0)
    assert book.index("<workbookPr") < m.start() < book.index("<bookViews")
    assert PASSWORD not in book  # only the hash is stored


def test_openpyxl_sees_the_protection(linxi):
    wb = openpyxl.load_workbook(linxi)
    assert wb.security.lockStructure
    assert all(wb[n].protection.sheet for n in wb.sheetnames)
    ws = wb.worksheets[2]
    assert ws.protection.insertRows and ws.protection.deleteRows  # True = forbidden
    assert not ws.protection.formatRows  # row heights may be adjusted for long text


def _unlocked(ws):
    return {c.coordinate for row in ws.iter_rows() for c in row
            if not isinstance(c, MergedCell) and c.protection.locked is False}


def _expected_inputs(spec, fields):
    cells = {spec.project.fields[k].range.top_left for k in fields}
    cells |= {c.top_left for c in spec.plan_cells}
    body = spec.indicator_body
    cells |= {CellRange.at(r, c).top_left for r, c in body.cells()}
    return cells


def test_unlocked_cells_are_exactly_the_inputs(linxi, spec):
    wb = openpyxl.load_workbook(linxi)
    for name in wb.sheetnames[2:7]:
        assert _unlocked(wb[name]) == _expected_inputs(spec, ["goal"]), name
    assert _unlocked(wb["填报说明"]) == {"B5", "B6"}  # contact and phone; the unit is fixed


def test_blank_template_leaves_unit_and_project_open(blank_book, spec):
    wb, meta = project_sheet_names(blank_book)
    assert meta.blank and meta.unit_code is None
    assert _unlocked(wb["填报说明"]) == {"B3", "B4", "B5", "B6"}
    for name in meta.project_sheets:
        assert _unlocked(wb[name]) == _expected_inputs(spec, spec.project.fields.keys())


def test_input_cells_are_shaded_and_prefill_is_not(linxi):
    ws = openpyxl.load_workbook(linxi).worksheets[2]
    assert ws["B8"].fill.fgColor.rgb.endswith("FFF2CC")  # 绩效目标: input
    assert ws["A10"].fill.fgColor.rgb.endswith("FFF2CC")
    assert ws["B3"].fill.fgColor.rgb.endswith("EDEDED")  # 项目编码: pre-filled
    assert ws["C4"].number_format == "#,##0.00"


# ---- names, dropdowns ------------------------------------------------------------------------

def test_sheet_scoped_names_point_to_their_own_sheet(linxi, spec):
    wb, meta = project_sheet_names(linxi)
    for sheet in meta.project_sheets:
        for key, f in spec.project.fields.items():
            ws, rng = resolve(wb, f"xt_{key}", sheet)
            assert ws.title == sheet and rng.a1 == f.range.top_left
        ws, plan = resolve(wb, "xt_plan", sheet)
        assert values(ws, CellRange(plan.row1 - 1, plan.col1, plan.row1 - 1, plan.col2)) \
            == spec.checkpoints
        ws, body = resolve(wb, "xt_indicators", sheet)
        assert (body.row2 - body.row1 + 1, body.col2 - body.col1 + 1) == (20, 8)
        header = values(ws, CellRange(body.row1 - 1, body.col1, body.row1 - 1, body.col2))
        assert header == ["一级指标", "二级指标", "三级指标", "绩效指标描述", "符号", "指标值",
                          "计量单位", "指标值确定依据"]
    ws, rng = resolve(wb, "xt_unit_code")
    assert ws.title == "填报说明" and ws.cell(rng.row1 + 1, rng.col1 + 1).value == "484001"


def _validations(ws):
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def test_dropdown_validations_and_their_sources(linxi):
    wb = openpyxl.load_workbook(linxi)
    for name in wb.sheetnames[2:7]:
        dv = _validations(wb[name])
        assert (dv["A10:A29"].type, dv["A10:A29"].formula1) == ("list", "xt_tier1")
        assert dv["B10:B29"].type == "list"
        assert dv["B10:B29"].formula1 == 'INDIRECT("xt_t2_"&MATCH($A10,xt_tier1,0))'
        assert (dv["E10:E29"].type, dv["E10:E29"].formula1) == ("list", "xt_ops")
        assert dv["F10:F29"].type == "custom" and "COUNTIF(xt_qual,F10)" in dv["F10:F29"].formula1
        assert (dv["G10:G29"].type, dv["G10:G29"].formula1) == ("list", "xt_units")
        basis = dv["H10:H29"]
        assert (basis.type, basis.formula1, basis.showErrorMessage) == ("list", "xt_basis", False)
        plan = dv["B7:E7"]
        assert (plan.type, plan.formula1, plan.formula2) == ("decimal", "0", "100")
        assert plan.operator in (None, "between")  # "between" is the default, left out
        for v in dv.values():
            assert v.promptTitle and v.prompt  # Chinese input prompt on every input
        assert all(v.error for v in dv.values() if v.showErrorMessage and v.type)  # Chinese alert
        assert "C4" not in dv  # the budget is pre-filled and locked here


def test_blank_template_checks_amounts(blank_book):
    wb = openpyxl.load_workbook(blank_book)
    dv = _validations(wb["项目1"])
    for ref in ("C4", "E4", "H4"):
        assert (dv[ref].type, dv[ref].operator, dv[ref].formula1) == ("decimal",
                                                                       "greaterThanOrEqual", "0")


def test_lists_resolve_from_the_file(linxi, spec, framework):
    wb = openpyxl.load_workbook(linxi)
    ws, rng = resolve(wb, "xt_tier1")
    assert ws.title == "xt_lists" and values(ws, rng) == ["产出指标", "效益指标", "满意度指标"]
    for name, expected in (("xt_ops", ["≥", "≤", "=", ">", "<", "定性"]),
                           ("xt_units", spec.lists.units), ("xt_basis", spec.lists.bases),
                           ("xt_qual", ["优", "良", "中", "差", "是", "否"])):
        ws, rng = resolve(wb, name)
        assert values(ws, rng) == expected
    assert {"百分比", "次", "个", "人", "人次", "户", "元", "万元", "天", "月", "年"} <= \
        set(spec.lists.units)


def test_tier2_list_depends_on_tier1(linxi, framework):
    """Evaluate the 二级 validation formula the way a spreadsheet does, with names from the file."""
    wb = openpyxl.load_workbook(linxi)
    ws_list, tier1_rng = resolve(wb, "xt_tier1")
    tier1 = values(ws_list, tier1_rng)
    formula = _validations(wb.worksheets[2])["B10:B29"].formula1
    prefix = re.match(r'INDIRECT\("([^"]+)"&MATCH', formula).group(1)
    resolved = {}
    for chosen in tier1:
        ws, rng = resolve(wb, f"{prefix}{tier1.index(chosen) + 1}")  # MATCH is 1-based
        resolved[chosen] = values(ws, rng)
    assert resolved == {
        "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
        "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
        "满意度指标": ["服务对象满意度指标"],
    }
    assert resolved == {t: framework.children_of(t) for t in tier1}


def test_mof2021_framework_makes_cost_a_tier1(tmp_path):
    batch = generate(tmp_path, list_path=EXAMPLE_LIST, year=2025, password=PASSWORD,
                     framework=load_framework("mof2021"))
    wb = openpyxl.load_workbook(tmp_path / batch.files[0].file)
    ws, rng = resolve(wb, "xt_tier1")
    tier1 = values(ws, rng)
    assert "成本指标" in tier1
    ws, rng = resolve(wb, f"xt_t2_{tier1.index('成本指标') + 1}")
    assert values(ws, rng) == ["经济成本指标", "社会成本指标", "生态环境成本指标"]
    cover = " ".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value)
    assert "先选一级指标（成本指标、产出指标、效益指标、满意度指标）" in cover
    assert "至少填写一个成本指标、一个产出指标、一个效益指标和一个满意度指标" in cover


def test_print_setup(linxi):
    wb = openpyxl.load_workbook(linxi)
    ws = wb.worksheets[2]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 = default
    assert ws.print_title_rows == "$9:$9"


# ---- refusals, names, options ----------------------------------------------------------------

def test_bad_list_writes_nothing(tmp_path):
    bad = tmp_path / "名单.csv"
    bad.write_text("单位编码,单位名称,项目编码,项目名称,预算数,财政资金,其他资金\n"
                   "484001,林西镇,P1,甲,100,60,30\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(ListError) as exc:
        generate(out, list_path=bad, year=2025, password=PASSWORD)
    assert "第 2 行" in str(exc.value)
    assert not out.exists() or not any(out.iterdir())


def test_gbk_csv_list_generates(tmp_path):
    text = EXAMPLE_LIST.read_text("utf-8-sig")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(text.encode("gbk"))
    batch = generate(tmp_path / "out", list_path=gbk, year=2025, password=PASSWORD)
    wb = openpyxl.load_workbook(tmp_path / "out" / batch.files[0].file)
    assert wb.worksheets[2]["F3"].value == "安保、环保、安全生产、应急、食药监管"


def test_existing_files_are_not_overwritten_without_force(tmp_path):
    generate(tmp_path, year=2025, password=PASSWORD)
    with pytest.raises(GenerateError, match="--force"):
        generate(tmp_path, year=2025, password=PASSWORD)
    with pytest.raises(GenerateError, match=MANIFEST_NAME):  # another year: the manifest stays
        generate(tmp_path, year=2026, password=PASSWORD)
    generate(tmp_path, year=2025, password=PASSWORD, force=True)


def test_force_keeps_the_password_and_the_records(tmp_path):
    first = generate(tmp_path, list_path=EXAMPLE_LIST, year=2025)
    blank = generate(tmp_path, year=2025, force=True)           # no --password: reused
    assert blank.password == first.password and not blank.password_generated
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text("utf-8"))
    assert manifest["password"] == first.password
    assert [u["unit_code"] for u in manifest["units"]] == ["484001", "489001", "489002", None]
    with pytest.raises(GenerateError, match="另一密码"):
        generate(tmp_path, year=2025, force=True, password="Other-pass1")


def test_files_are_readable_by_colleagues(batch):
    umask = os.umask(0)
    os.umask(umask)
    for name in [g.file for g in batch.files] + [MANIFEST_NAME, MANIFEST_CSV_NAME]:
        assert (batch.out_dir / name).stat().st_mode & 0o777 == 0o666 & ~umask, name


def test_long_unit_names_fit_the_file_system(tmp_path):
    lst = tmp_path / "l.csv"
    lst.write_text("单位编码,单位名称,项目编码,项目名称,预算数,财政资金,其他资金\n"
                   f"484001,{'很长的单位名称' * 20},,,,,\n", encoding="utf-8")
    batch = generate(tmp_path / "out", list_path=lst, year=2025, password=PASSWORD)
    name = batch.files[0].file
    assert len(name.encode("utf-8")) <= 200 and name.endswith(".xlsx")


def test_hostile_unit_names_make_safe_file_names(tmp_path):
    lst = tmp_path / "l.csv"
    lst.write_text("单位编码,单位名称,项目编码,项目名称,预算数,财政资金,其他资金\n"
                   '../..\\CON,a/b:c*d?"e"<f>|g,,,,,\n'
                   "AUX,..,,,,,\n", encoding="utf-8")
    out = tmp_path / "out"
    batch = generate(out, list_path=lst, year=2025, password=PASSWORD)
    for g in batch.files:
        assert (out / g.file).is_file() and (out / g.file).parent == out
        assert not set(g.file) & set('\\/:*?"<>|') and ".." not in g.file
        assert g.file.split(".")[0].upper() not in {"CON", "AUX"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.csv", "out"]


def test_bad_password_refused(tmp_path):
    with pytest.raises(GenerateError, match="密码"):
        generate(tmp_path, year=2025, password="密码")
    assert not any(tmp_path.iterdir())


def test_random_password_when_none_given(tmp_path):
    batch = generate(tmp_path, year=2025)
    assert batch.password_generated and len(batch.password) == 12
    assert json.loads((tmp_path / MANIFEST_NAME).read_text("utf-8"))["password"] == batch.password
    book = xml_of(tmp_path / batch.files[0].file, "xl/workbook.xml")
    assert legacy_password_hash(batch.password) in book and batch.password not in book


def test_checkpoints_and_rows_come_from_the_spec(tmp_path):
    data = yaml.safe_load((REPO / "templates" / "project.yaml").read_text("utf-8"))
    data["checkpoints"] = ["6月底", "12月底"]
    data["indicator_rows"] = 30
    batch = generate(tmp_path, year=2025, password=PASSWORD,
                     spec=TemplateSpec.model_validate(data))
    wb = openpyxl.load_workbook(tmp_path / batch.files[0].file)
    ws, plan = resolve(wb, "xt_plan", "项目1")
    assert plan.a1 == "B7:C7"
    assert [ws["B6"].value, ws["C6"].value, ws["D6"].value] == ["6月底", "12月底", None]
    ws, body = resolve(wb, "xt_indicators", "项目1")
    assert body.a1 == "A10:H39"
