"""What a real office suite does with a generated workbook (LibreOffice headless).

A township that opens and re-saves the workbook in LibreOffice must keep its dropdowns,
protection, names and identity; and the 二级 dropdown formula must evaluate in a real suite.
"""
from __future__ import annotations

import re
import subprocess

import openpyxl
import pytest
from support import PASSWORD, convert, sheet_xml_members, xml_of

from xltool.template.meta import Meta
from xltool.template.protection import legacy_password_hash


@pytest.fixture(scope="module")
def round_trip(linxi, tmp_path_factory):
    out = tmp_path_factory.mktemp("lo")
    src = out / "return.xlsx"
    src.write_bytes(linxi.read_bytes())
    return convert(src, "xlsx", out / "saved")


def _validations(path):
    wb = openpyxl.load_workbook(path)
    return {name: sorted((str(dv.sqref), dv.type, (dv.formula1 or "").replace("$", ""),
                          dv.formula2 if dv.type == "decimal" else None,
                          bool(dv.showErrorMessage))
                         for dv in wb[name].data_validations.dataValidation
                         if dv.type)  # "any" validations carry only prompts
            for name in wb.sheetnames[1:7]}  # 部门整体绩效目标 and the five projects


def test_validations_survive(linxi, round_trip):
    before, after = _validations(linxi), _validations(round_trip)
    assert after == before
    assert any("INDIRECT" in f for rows in after.values() for _, _, f, _, _ in rows)
    assert ("A20:A99", "list", "A8:A17", None, True) in after["部门整体绩效目标"]
    basis = [r for r in after["1.安保、环保、安全生产、应急、食药监管"] if r[0] == "H10:H29"]
    assert basis and basis[0][4] is False  # 指标值确定依据 still accepts free text


def test_prompts_survive(round_trip):
    ws = openpyxl.load_workbook(round_trip).worksheets[2]
    prompts = {dv.promptTitle for dv in ws.data_validations.dataValidation}
    assert {"一级指标", "二级指标", "符号", "指标值", "计量单位", "累计支出比例（%）"} <= prompts


def test_sheet_protection_survives(round_trip):
    expected = legacy_password_hash(PASSWORD)
    for name, part in sheet_xml_members(round_trip).items():
        m = re.search(r"<sheetProtection [^>]*>", xml_of(round_trip, part))
        assert m and re.search(r'sheet="(1|true)"', m.group(0)), name
        assert f'password="{expected.lower()}"' in m.group(0).lower(), name
    wb = openpyxl.load_workbook(round_trip)
    cells = wb.worksheets[2]
    assert cells["B8"].protection.locked is False and cells["B3"].protection.locked is True
    dept = wb["部门整体绩效目标"]
    assert dept["A5"].protection.locked is False and dept["A20"].protection.locked is False
    assert dept["B3"].protection.locked is True and dept["A19"].protection.locked is True


def test_defined_names_survive(linxi, round_trip):
    def names(path):
        wb = openpyxl.load_workbook(path)
        def where(d):
            return sorted((s, ref.replace("$", "")) for s, ref in d.destinations)
        glob = {n: where(d) for n, d in wb.defined_names.items() if n.startswith("xt_")}
        local = {(s, n): where(d) for s in wb.sheetnames for n, d in wb[s].defined_names.items()}
        return glob, local
    assert names(round_trip) == names(linxi)
    assert len(names(linxi)[1]) == 5 * 9 + 5
    assert {n for s, n in names(round_trip)[1] if s == "部门整体绩效目标"} == {
        "xt_dept_goal", "xt_dept_areas", "xt_dept_indicators", "xt_dept_measures",
        "xt_dept_budget_total"}


def test_identity_and_hidden_sheets_survive(linxi, round_trip):
    wb = openpyxl.load_workbook(round_trip)
    meta = Meta.from_rows(wb["xt_meta"].iter_rows(values_only=True))
    original = Meta.from_rows(openpyxl.load_workbook(linxi)["xt_meta"].iter_rows(values_only=True))
    assert meta.digest == original.digest
    # LibreOffice keeps the sheets hidden but writes "hidden" for "veryHidden".
    assert wb["xt_meta"].sheet_state in ("hidden", "veryHidden")
    assert wb["xt_lists"].sheet_state in ("hidden", "veryHidden")


def test_structure_protection_element_is_kept(round_trip):
    """LibreOffice keeps <workbookProtection> but may drop its attributes; the README says so,
    and the checker relies on the identity digest, not on this flag."""
    assert "<workbookProtection" in xml_of(round_trip, "xl/workbook.xml")


def test_tier2_formula_evaluates_in_libreoffice(linxi, framework, tmp_path):
    """Put each 一级 in a row and evaluate the file's own 二级 validation formula beside it."""
    wb = openpyxl.load_workbook(linxi)
    ws = wb.worksheets[2]
    ws.protection.sheet = False
    formula = next(dv.formula1 for dv in ws.data_validations.dataValidation
                   if str(dv.sqref) == "B10:B29")
    tier1 = framework.tier1_names + ["不存在的指标"]
    for i, name in enumerate(tier1):
        row = 10 + i
        ws[f"A{row}"] = name
        ws[f"D{row}"] = f'=_xlfn.TEXTJOIN("|",TRUE,{formula.replace("$A10", f"$A{row}")})'
    probe = tmp_path / "probe.xlsx"
    wb.save(probe)
    computed = openpyxl.load_workbook(convert(probe, "xlsx", tmp_path / "out"), data_only=True)
    got = [computed.worksheets[2][f"D{10 + i}"].value for i in range(len(tier1))]
    assert got[:-1] == ["|".join(framework.children_of(t)) for t in framework.tier1_names]
    assert got[-1] == "#N/A"  # an unknown 一级 offers no 二级


def test_prints_one_page_per_sheet(linxi, tmp_path):
    src = tmp_path / "print.xlsx"
    src.write_bytes(linxi.read_bytes())
    pdf = convert(src, "pdf", tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    # 填报说明, 部门整体绩效目标 (80 indicator rows: four pages), five project sheets of one page
    assert pages == 10
    for page in (4, 5):  # the indicator header is repeated on the pages after the first
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert text.split()[:2] == ["所属分项", "一级指标"], text[:80]
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"CJK|Noto|WenQuanYi|Hei|Song", fonts.stdout), fonts.stdout
