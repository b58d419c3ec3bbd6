"""The format is what the bytes say, formats and saved times come from the file itself, and
what Excel writes that our writer never does reads as its value."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from support import REPO, convert

from xltool.check.checker import check_paths
from xltool.read.books import open_book
from xltool.read.native import XlsFormats, ole_streams

SEED = REPO / "examples/returns/484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填.xlsx"


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> dict[str, Path]:
    """A small workbook with a 95% cell, as .xlsx and as LibreOffice saved it (.xls, .ods)."""
    work = tmp_path_factory.mktemp("office")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    ws["A1"], ws["B1"], ws["C1"] = 0.95, 0.95, "文字"
    ws["A1"].number_format = "0%"
    ws["A3"] = "上"
    ws.merge_cells("A3:A5")
    src = work / "book.xlsx"
    wb.save(src)
    return {"xlsx": src, "xls": convert(src, "xls", work / "xls"),
            "ods": convert(src, "ods", work / "ods")}


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_number_formats_merges_and_saved_time_in_every_format(office, kind):
    book = open_book(office[kind])
    cells = book.cells("表", 10)
    assert book.kind == kind
    assert cells[(0, 0)] == (0.95, "0%") or cells[(0, 0)][1].endswith("%")
    assert "%" not in cells[(0, 1)][1] and cells[(0, 2)][0] == "文字"
    assert any((m.row1, m.col1, m.row2, m.col2) == (2, 0, 4, 0) for m in book.merges("表"))
    assert book.saved_at and book.saved_at[:2] == "20"
    book.close()


@pytest.mark.parametrize("kind, wrong", [("xls", ".xlsx"), ("xlsx", ".xls"), ("ods", ".xlsx"),
                                         ("xls", ".et"), ("xlsx", ".ett"), ("xls", ".ett")])
def test_the_bytes_decide_not_the_name(office, kind, wrong, tmp_path):
    renamed = tmp_path / ("renamed" + wrong)
    shutil.copy(office[kind], renamed)
    book = open_book(renamed)
    assert book.kind == kind
    assert book.cells("表", 10)[(0, 2)][0] == "文字"
    book.close()


def test_renamed_returns_are_checked_as_what_they_are(tmp_path):
    xls = convert(SEED, "xls", tmp_path / "lo")
    for name in ("报表.xlsx", "报表.et"):
        shutil.copy(xls, tmp_path / name)
        report = check_paths([tmp_path / name])
        assert [i.code for i in report.files[0].issues if not i.code.startswith("XT8")] == [], name
        assert report.files[0].format == "xls"


def test_damaged_ole_gives_no_formats_rather_than_an_error():
    assert ole_streams(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600, ("Workbook",)) == {}
    assert XlsFormats(b"not a compound file").sheets == {}


def _patched(src: Path, dest: Path, member: str, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, change(data) if info.filename == member else data)
    return dest


def _sheet_part(path: Path, index: int) -> str:
    from support import sheet_xml_members
    return list(sheet_xml_members(path).values())[index]


def test_extlst_formulas_are_not_cell_formulas(tmp_path):
    """Excel 2010+ keeps list validations in <extLst> with <xm:f>: not a cell formula."""
    ext = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://'
           b'schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations '
           b'count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
           b'<x14:dataValidation type="list"><x14:formula1><xm:f>xt_lists!$A$2:$A$4</xm:f>'
           b'</x14:formula1><xm:sqref>A10:A29</xm:sqref></x14:dataValidation>'
           b'</x14:dataValidations></ext></extLst></worksheet>')
    member = _sheet_part(SEED, 2)   # the first project sheet
    dest = _patched(SEED, tmp_path / "excel.xlsx", member,
                    lambda d: d.replace(b"</worksheet>", ext))
    assert [i for i in check_paths([dest]).files[0].issues if not i.code.startswith("XT8")] == []


def test_rich_text_phonetic_inline_str_and_error_cells(tmp_path):
    """Rich text with phonetic runs, inline strings and t="str" formula results."""
    wb = openpyxl.load_workbook(SEED)
    ws = wb.worksheets[2]   # the first project sheet
    ws["D10"] = "PLACEHOLDER_RICH"
    ws["D11"] = "PLACEHOLDER_STR"
    wb.save(tmp_path / "base.xlsx")
    member = _sheet_part(tmp_path / "base.xlsx", 2)

    def change(data: bytes) -> bytes:
        rich = ('<is><r><rPr><b/></rPr><t>检查</t></r><r><t>完成率</t></r>'
                '<rPh sb="0" eb="2"><t>ケンサ</t></rPh></is>').encode()
        data = data.replace("<is><t>PLACEHOLDER_RICH</t></is>".encode(), rich)
        data = data.replace(b't="inlineStr"><is><t>PLACEHOLDER_STR</t></is>',
                            't="str"><f>"是否"&amp;"发生"</f><v>是否发生</v>'.encode())
        return data
    dest = _patched(tmp_path / "base.xlsx", tmp_path / "excel.xlsx", member, change)
    book = open_book(dest)
    cells = book.cells(book.sheet_names[2], 40)
    assert cells[(9, 3)][0] == "检查完成率"
    assert cells[(10, 3)][0] == "是否发生"
    assert (10, 3) not in book.unsaved(book.sheet_names[2], 40)
    book.close()
