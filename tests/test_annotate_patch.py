"""Annotated copies made by patching the township's package: files LibreOffice wrote (shared
strings, merged cells, formulas with saved results), XML with namespace prefixes, re-annotating
a copy that an office program saved again."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from support import REPO, convert

from xltool.check.checker import check_paths
from xltool.check.report import Issue
from xltool.report.annotate import ANNOTATION_SHEET, AUTHOR, annotate

SEED = REPO / "examples" / "returns" / "484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填.xlsx"
SHEET = "1.安保、环保、安全生产、应急、食药监管"


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _ours(path: Path) -> dict[tuple[str, str], str]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.comment.text for ws in wb.worksheets
            for row in ws.iter_rows() for c in row
            if c.comment is not None and (c.comment.author == AUTHOR or re.match(
                r"【(错误|警告) XT\d+】", c.comment.text))}   # LibreOffice drops the author


def _issues(path: Path) -> list[tuple[str, str | None, str | None]]:
    return [(i.code, i.sheet, i.cell) for i in check_paths([path]).files[0].issues]


@pytest.fixture(scope="module")
def lo_return(tmp_path_factory) -> Path:
    """The seed return with 一级 merged over three rows and a formula as 指标值, saved by
    LibreOffice (its styles, shared strings, merge records and the formula's saved value)."""
    base = tmp_path_factory.mktemp("lo")
    wb = openpyxl.load_workbook(SEED)
    ws = wb[SHEET]
    ws.merge_cells("A10:A12")
    ws["F10"] = f"={ws['F10'].value}+0"
    wb.save(base / "merged.xlsx")
    out = convert(base / "merged.xlsx", "xlsx", base / "lo")
    sheet = _sheet_xml(out, SHEET)
    assert '<mergeCell ref="A10:A12"/>' in sheet and re.search(r'<c r="F10"[^>]*><f[^>]*>', sheet)
    return out


def _sheet_xml(path: Path, name: str) -> str:
    from support import sheet_xml_members
    with zipfile.ZipFile(path) as zf:
        return zf.read(sheet_xml_members(path)[name]).decode("utf-8")


def test_merged_cells_and_formula_results_survive(lo_return, tmp_path):
    report = check_paths([lo_return]).files[0]
    report.issues.append(Issue("XT101", "error", SHEET, "A11", "合并单元格里的问题"))
    report.issues.append(Issue("XT101", "warning", SHEET, "B8", "目标写得不具体"))
    copy = tmp_path / "copy.xlsx"
    annotate(lo_return, copy, report)
    comments = _ours(copy)
    assert "合并单元格里的问题" in comments[(SHEET, "A10")]   # on the merge's first cell
    assert (SHEET, "A11") not in comments
    wb = openpyxl.load_workbook(copy)
    assert wb[SHEET]["A10"].fill.fgColor.rgb.endswith("FFC7CE")
    assert wb[SHEET]["B8"].fill.fgColor.rgb.endswith("F4B183")
    assert wb.sheetnames[0] == ANNOTATION_SHEET
    # the formula keeps its saved result, so checking the copy finds the same issues
    assert re.search(r'<c r="F10"[^>]*><f[^>]*>95\+0</f><v>95</v>', _sheet_xml(copy, SHEET))
    again = _issues(copy)
    assert again == _issues(lo_return) and not any(code == "XT006" for code, _, _ in again)
    # every part we have no reason to touch is byte for byte the township's
    before, after = _parts(lo_return), _parts(copy)
    touched = {"xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
               "[Content_Types].xml"}
    touched |= {n for n in after if n not in before}
    from support import sheet_xml_members
    members = sheet_xml_members(lo_return)
    touched |= {members[SHEET], members[SHEET].replace("worksheets/", "worksheets/_rels/")
                + ".rels"}
    for name, data in before.items():
        if name not in touched and "sheet" not in name:
            assert after[name] == data, name
    assert before[members["xt_meta"]] == after[members["xt_meta"]]
    # LibreOffice opens the copy
    assert convert(copy, "pdf", tmp_path / "pdf").stat().st_size > 0


def test_reannotating_a_copy_libreoffice_saved_again(lo_return, tmp_path):
    report = check_paths([lo_return]).files[0]
    report.issues.append(Issue("XT101", "error", SHEET, "C12", "第一次的问题"))
    first = tmp_path / "first.xlsx"
    annotate(lo_return, first, report)
    resaved = convert(first, "xlsx", tmp_path / "resaved")
    assert any("第一次的问题" in t for t in _ours(resaved).values())
    report.issues = [i for i in report.issues if i.cell != "C12"]
    second = tmp_path / "second.xlsx"
    annotate(resaved, second, report)
    wb = openpyxl.load_workbook(second)
    assert wb.sheetnames.count(ANNOTATION_SHEET) == 1 and wb.sheetnames[0] == ANNOTATION_SHEET
    assert not any("第一次的问题" in t for t in _ours(second).values())
    assert set(_ours(second)) == set(_ours(first)) - {(SHEET, "C12")}
    original = openpyxl.load_workbook(lo_return)[SHEET]["C12"].fill.fgColor.rgb
    assert wb[SHEET]["C12"].fill.fgColor.rgb == original      # the input shading is back


def _prefixed(src: Path, dest: Path) -> None:
    """The same workbook with the spreadsheet namespace under a prefix (`<x:c>`), as some
    generators write it."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name.startswith("xl/") and name.endswith(".xml") and \
                    f'xmlns="{main}"'.encode() in data:
                text = data.decode("utf-8")
                text = re.sub(r"<(/?)(?=[A-Za-z])(?![a-z]+:)", r"<\1x:", text)
                text = text.replace(f'xmlns="{main}"', f'xmlns:x="{main}"')
                data = text.encode("utf-8")
            zout.writestr(name, data)


def test_prefixed_xml(tmp_path):
    src = tmp_path / "prefixed.xlsx"
    _prefixed(SEED, src)
    assert "<x:c " in _sheet_xml(src, SHEET)
    report = check_paths([SEED]).files[0]
    report.path = str(src)
    report.issues = [Issue("XT101", "error", SHEET, "D11", "前缀"),
                     Issue("XT101", "warning", SHEET, "H30", "表外的单元格")]
    copy = tmp_path / "copy.xlsx"
    annotate(src, copy, report)
    assert set(_ours(copy)) == {(SHEET, "D11"), (SHEET, "H30")}
    ws = openpyxl.load_workbook(copy)[SHEET]
    assert ws["D11"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["H30"].fill.fgColor.rgb.endswith("F4B183")
    assert ws["D11"].value == openpyxl.load_workbook(SEED)[SHEET]["D11"].value


def test_untouched_parts_keep_their_compressed_bytes(lo_return, tmp_path):
    """Parts the copy does not change are copied as stored (not inflated and deflated again):
    the same compressed bytes, CRC and method, and the copy's own checksums all hold."""
    report = check_paths([lo_return]).files[0]
    copy = tmp_path / "copy.xlsx"
    annotate(lo_return, copy, report)

    def stored(path: Path) -> dict[str, tuple]:
        out = {}
        with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
            for info in zf.infolist():
                fh.seek(info.header_offset + 26)
                skip = int.from_bytes(fh.read(2), "little") + int.from_bytes(fh.read(2), "little")
                fh.seek(skip, 1)
                out[info.filename] = (info.compress_type, info.CRC, fh.read(info.compress_size))
        return out

    before, after = stored(lo_return), stored(copy)
    with zipfile.ZipFile(copy) as zf:
        assert zf.testzip() is None
    same = [n for n in before if n in after and _parts(lo_return)[n] == _parts(copy)[n]]
    assert "xl/sharedStrings.xml" in same and "docProps/core.xml" in same
    for name in same:
        assert after[name] == before[name], name


@pytest.mark.parametrize("base, part, target", [
    ("xl/worksheets/sheet1.xml", "xl/comments1.xml", "../comments1.xml"),
    ("xl/worksheets/sheet1.xml", "xl/drawings/vmlDrawing1.vml", "../drawings/vmlDrawing1.vml"),
    ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "sheet2.xml"),
    ("xl/workbook.xml", "xl/worksheets/sheet3.xml", "worksheets/sheet3.xml"),
    ("", "xl/workbook.xml", "xl/workbook.xml"),
    ("a/b/c.xml", "x/y.xml", "../../x/y.xml"),
])
def test_relationship_targets(base, part, target):
    from xltool.report.package import relative

    assert relative(base, part) == target
