"""`xltool export`: the consolidated workbook, CSV files with mapping files, what is left out."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import yaml
from support import REPO, convert
from typer.testing import CliRunner

from xltool.cli import app

runner = CliRunner()
RETURNS = REPO / "examples" / "returns"
MANIFEST = REPO / "examples" / "generated" / "xltool-manifest.json"
SEED_RETURN = RETURNS / "484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填.xlsx"
BROKEN_RETURN = RETURNS / "489001_示例县东河镇人民政府本级_2025年预算项目绩效目标表_有错误.xlsx"
SEED_DATA = yaml.safe_load((REPO / "examples" / "seed_2025_484001.yaml").read_text("utf-8"))
EXAMPLE_MAPPING = REPO / "mappings" / "示例_预算一体化系统.yaml"


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def sheet_rows(path: Path, sheet: str) -> list[dict]:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.fixture()
def returns(tmp_path) -> Path:
    """A returns folder as the county has it: a clean return and one with errors."""
    folder = tmp_path / "收回"
    folder.mkdir()
    shutil.copy(SEED_RETURN, folder)
    shutil.copy(BROKEN_RETURN, folder)
    return folder


def saved_later(src: Path, dest: Path, when: str = "2026-12-01T09:30:00Z") -> None:
    """A copy whose own saved time is later, as when the township saves the file again."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when.encode(), data)
            zout.writestr(item, data)


def export(*args: str):
    result = runner.invoke(app, ["export", *args])
    assert "Traceback" not in result.output
    return result


def test_consolidated_workbook(returns, tmp_path):
    out = tmp_path / "汇编"
    result = export(str(returns), "--units", str(MANIFEST), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert "已导出 1 个单位、5 个项目" in result.output
    wb = openpyxl.load_workbook(out / "绩效目标汇总.xlsx")
    assert wb.sheetnames == ["单位", "项目", "项目指标", "部门整体", "部门分项", "部门指标", "未导出"]
    for name in wb.sheetnames:
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        (table,) = ws.tables.values()
        assert table.autoFilter is not None and table.ref.startswith("A1:")
        assert all(ws.column_dimensions[c].width >= 6 for c in "ABCD")
    units = sheet_rows(out / "绩效目标汇总.xlsx", "单位")
    # the seed has no error, only review suggestions (XT8xx), which count as warnings
    assert [(u["单位编码"], u["审核结果"]) for u in units] == [("484001", "有警告")]
    projects = sheet_rows(out / "绩效目标汇总.xlsx", "项目")
    assert [p["项目编码"] for p in projects] == [p["code"] for p in SEED_DATA["projects"]]
    first = projects[0]
    assert first["预算数"] == 20000 and isinstance(first["预算数"], (int, float))
    assert [first[f"{c}（%）"] for c in ("3月底", "6月底", "10月底", "12月底")] == [25, 50, 75, 100]
    assert first["绩效目标"] == SEED_DATA["projects"][0]["goal"]
    # codes are text cells, amounts number cells
    ws = wb["项目"]
    assert ws["A2"].data_type == "s" and ws["C2"].data_type == "s" and ws["E2"].data_type == "n"
    left = sheet_rows(out / "绩效目标汇总.xlsx", "未导出")
    reasons = {x["单位编码"]: x["原因"] for x in left}
    assert re.match(r"审核有 \d+ 个错误，未导出", reasons["489001"])
    assert reasons["489002"] == "未报送。"
    assert "489001" in result.output and "未报送" in result.output


def test_round_trip_indicators_are_exactly_the_returns(returns, tmp_path):
    """Reading 项目指标 back gives the indicators the township entered, row for row."""
    out = tmp_path / "汇编"
    assert export(str(returns), "-o", str(out), "-q").exit_code == 0
    rows = sheet_rows(out / "绩效目标汇总.xlsx", "项目指标")
    got = [(r["项目编码"], r["一级指标"], r["二级指标"], r["三级指标"], r["指标内容"],
            f"{r['符号']}{r['指标值']}{r['计量单位']}", r["指标值确定依据"], r["指标性质"])
           for r in rows]
    expected = [(p["code"], t1, t2, t3, desc, value, basis, "定量")
                for p in SEED_DATA["projects"]
                for t1, t2, t3, desc, value, basis in p["indicators"]]
    assert got == expected
    assert all(isinstance(r["指标值"], (int, float)) for r in rows)


def test_round_trip_department_part(returns, tmp_path):
    """部门整体, 部门分项 and 部门指标 read back are Part 1 of the return, as published."""
    out = tmp_path / "汇编"
    assert export(str(returns), "-o", str(out), "-q").exit_code == 0
    book = out / "绩效目标汇总.xlsx"
    dept = SEED_DATA["dept"]
    (whole,) = sheet_rows(book, "部门整体")
    assert (whole["单位编码"], whole["总体绩效目标"]) == ("484001", dept["goal"])
    assert whole["工作保障措施"] == dept["measures"]
    assert whole["预算总额"] == sum(p["预算数"] for p in sheet_rows(book, "项目"))
    areas = sheet_rows(book, "部门分项")
    assert [(a["序号"], a["分项名称"], a["分项绩效目标"]) for a in areas] == \
        [(n, a["name"], a["goal"]) for n, a in enumerate(dept["areas"], start=1)]
    rows = sheet_rows(book, "部门指标")
    got = [(r["所属分项"], r["一级指标"], r["二级指标"], r["三级指标"],
            f"{r['符号'] if r['指标性质'] == '定量' else ''}{r['指标值']}"
            f"{'%' if r['计量单位'] == '百分比' else r['计量单位'] or ''}")
           for r in rows]
    assert got == [(a["name"], t1, t2, t3, value) for a in dept["areas"]
                   for t1, t2, t3, value in a["indicators"]]


def test_include_errors_exports_them_marked(returns, tmp_path):
    out = tmp_path / "汇编"
    result = export(str(returns), "-o", str(out), "--include-errors", "-q")
    assert result.exit_code == 0, result.output
    units = {u["单位编码"]: u for u in sheet_rows(out / "绩效目标汇总.xlsx", "单位")}
    assert units["489001"]["审核结果"] == "有错误" and units["489001"]["错误数"] > 0
    rows = sheet_rows(out / "绩效目标汇总.xlsx", "项目指标")
    words = [r for r in rows if r["三级指标"] == "垃圾无害化处理率"]
    assert words[0]["指标值"] == "九十五"          # kept as typed, as text


def test_bad_inputs_are_listed_and_returns_untouched(returns, tmp_path):
    """Errors, an unreadable file, a unit with two files (the newer re-saved by LibreOffice)."""
    (returns / "损坏的表格.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (returns / "说明.xlsx").write_text("这不是表格", encoding="utf-8")
    resaved = convert(SEED_RETURN, "xlsx", tmp_path / "lo")
    newer = returns / "再次报送" / "484001_林西镇_修改后.xlsx"
    newer.parent.mkdir()
    saved_later(resaved, newer)
    before = digests(returns)
    out = tmp_path / "汇编"
    result = export(str(returns), "--units", str(MANIFEST), "-o", str(out), "--docx", "-q")
    assert result.exit_code == 0, result.output
    assert digests(returns) == before
    units = sheet_rows(out / "绩效目标汇总.xlsx", "单位")
    assert [(u["单位编码"], u["文件"]) for u in units] == [("484001", newer.name)]
    left = {x["文件"]: x["原因"] for x in sheet_rows(out / "绩效目标汇总.xlsx", "未导出")}
    assert newer.name in left[SEED_RETURN.name] and "最新" in left[SEED_RETURN.name]
    assert left["损坏的表格.xlsx"].startswith("无法打开")
    assert left["说明.xlsx"].startswith("无法打开")
    assert re.match(r"审核有 \d+ 个错误", left[BROKEN_RETURN.name])
    rows = sheet_rows(out / "绩效目标汇总.xlsx", "项目指标")
    assert len(rows) == sum(len(p["indicators"]) for p in SEED_DATA["projects"])
    assert len(list((out / "绩效目标文档").glob("*.docx"))) == 1


def test_output_inside_returns_folder_is_not_read_back(returns):
    out = returns / "汇编"
    assert export(str(returns), "-o", str(out), "-q").exit_code == 0
    assert export(str(returns), "-o", str(out), "-q").exit_code == 0
    units = sheet_rows(out / "绩效目标汇总.xlsx", "单位")
    assert len(units) == 1


def test_csv_utf8_with_bom_by_default(returns, tmp_path):
    out = tmp_path / "csv"
    result = export(str(returns), "-o", str(out), "--format", "csv", "-q")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.csv")) == sorted(
        ["单位.csv", "项目.csv", "项目指标.csv", "部门整体.csv", "部门分项.csv", "部门指标.csv",
         "未导出.csv"])
    raw = (out / "项目.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["项目编码"] == "13022925P00JXC419936N"
    assert rows[0]["预算数"] == "20000.00" and rows[0]["其他资金"] == "0.00"
    assert rows[1]["单位编码"] == "484001"


def test_csv_gbk_with_the_example_mapping(returns, tmp_path):
    out = tmp_path / "csv"
    result = export(str(returns), "-o", str(out), "--format", "csv", "--encoding", "gbk",
                    "--mapping", str(EXAMPLE_MAPPING), "-q")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.csv")) == sorted(
        ["项目绩效目标.csv", "项目绩效指标.csv", "未导出.csv"])
    raw = (out / "项目绩效指标.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("gbk"))))
    assert list(rows[0]) == ["单位代码", "项目代码", "一级指标", "二级指标", "三级指标", "指标解释",
                             "指标值符号", "指标值", "度量单位", "指标值设定依据", "指标性质"]
    assert rows[0]["指标值符号"] == "1"            # ≥
    assert rows[0]["指标值设定依据"] == "5"         # 根据实际情况测算 → 其他标准
    assert rows[0]["指标性质"] == "1" and rows[0]["指标值"] == "95"


def test_mapping_applies_to_the_workbook_too(returns, tmp_path):
    out = tmp_path / "x"
    assert export(str(returns), "-o", str(out), "--mapping", str(EXAMPLE_MAPPING),
                  "-q").exit_code == 0
    wb = openpyxl.load_workbook(out / "绩效目标汇总.xlsx")
    assert wb.sheetnames == ["项目绩效目标", "项目绩效指标", "未导出"]
    assert wb["项目绩效目标"]["E2"].value == 20000


@pytest.mark.parametrize("text, words", [
    ("tables:\n  项目指标:\n    columns: [单位编码, 指标编码]\n", ["项目指标", "指标编码", "没有"]),
    ("tables:\n  绩效表:\n    columns: [单位编码]\n", ["绩效表", "没有名为"]),
    ("tables:\n  项目: {columns: [单位编码, {column: 项目名称, header: 单位编码}]}\n",
     ["列名重复", "单位编码"]),
    ("tables:\n  项目:\n    columns: [单位编码\n", ["格式有误"]),
    ("tables:\n  项目:\n    colums: [单位编码]\n", ["不认识的设置项"]),
    ("- 单位编码\n", ["tables"]),
])
def test_bad_mapping_is_refused_before_anything_is_written(returns, tmp_path, text, words):
    mapping = tmp_path / "映射.yaml"
    mapping.write_text(text, encoding="utf-8")
    out = tmp_path / "汇编"
    result = export(str(returns), "-o", str(out), "--mapping", str(mapping), "-q")
    assert result.exit_code == 2
    assert all(w in result.output for w in words), result.output
    assert str(mapping) in result.output.replace("\n", "")
    assert not out.exists()


def test_gbk_refuses_characters_it_cannot_hold(returns, tmp_path):
    from xltool.export.consolidated import EncodingProblem, csv_bytes
    from xltool.export.tables import Column, Table
    table = Table("项目", [Column("项目名称")], [["𠮷野家"]])
    with pytest.raises(EncodingProblem, match="UTF-8"):
        csv_bytes(table, "gbk")
    assert csv_bytes(table, "utf-8").decode("utf-8-sig").splitlines()[1] == "𠮷野家"


def test_long_numeric_codes_stay_text(tmp_path):
    from xltool.export.consolidated import write_workbook
    from xltool.export.tables import Column, Table
    table = Table("项目", [Column("项目编码"), Column("预算数", "amount")],
                  [["0013022925000000000123", Decimal("20000.00")]])
    write_workbook(tmp_path / "t.xlsx", [table], [])
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["项目"]
    assert ws["A2"].value == "0013022925000000000123" and ws["A2"].data_type == "s"
    assert ws["B2"].value == 20000 and ws["B2"].number_format == "#,##0.00"


def test_no_returns_and_unknown_format(tmp_path):
    empty = tmp_path / "空"
    empty.mkdir()
    result = export(str(empty), "-o", str(tmp_path / "o"))
    assert result.exit_code == 2 and "没有找到" in result.output
    result = export(str(RETURNS), "-o", str(tmp_path / "o"), "--format", "json", "-q")
    assert result.exit_code == 2 and "xlsx 或 csv" in result.output


def test_each_return_is_read_once(returns, tmp_path, monkeypatch):
    """The targets come from the check's own read of each return: no second read."""
    from xltool.export import collect
    from xltool.export.run import export as run_export

    reads = []
    real = collect.read_workbook
    monkeypatch.setattr(collect, "read_workbook", lambda p: reads.append(p) or real(p))
    done = run_export([returns], tmp_path / "汇编", include_errors=True)
    assert reads == [] and {u.code for u in done.collected.units} == {"484001", "489001"}
    seed = next(u for u in done.collected.units if u.code == "484001")
    assert (seed.file, seed.status) == (SEED_RETURN.name, "warnings")
    broken = next(u for u in done.collected.units if u.code == "489001")
    assert broken.status == "errors" and broken.errors > 0


def test_targets_are_read_again_when_taking_them_fails(returns, tmp_path, monkeypatch):
    """A failure while taking the targets in the check never changes the check; the return is
    then read again, and exported the same."""
    from xltool.export import collect
    from xltool.export.run import export as run_export

    first = run_export([returns], tmp_path / "a")
    monkeypatch.setattr(collect, "targets_of_read", lambda wb: 1 / 0)
    again = run_export([returns], tmp_path / "b")
    assert again.collected.report.to_dict() == first.collected.report.to_dict()
    assert again.collected.units == first.collected.units


def test_workbook_opens_in_libreoffice_with_every_row(returns, tmp_path):
    """The streamed rows are real cells to an office suite: LibreOffice re-saves the workbook
    with the same values, text as text and numbers as numbers, and the table's full range."""
    out = tmp_path / "汇编"
    assert export(str(returns), "-o", str(out), "--include-errors", "-q").exit_code == 0
    book = out / "绩效目标汇总.xlsx"
    resaved = convert(book, "xlsx", tmp_path / "lo")
    mine, theirs = openpyxl.load_workbook(book), openpyxl.load_workbook(resaved)
    assert theirs.sheetnames == mine.sheetnames
    for name in mine.sheetnames:
        got = [[c.value for c in row] for row in theirs[name].iter_rows()]
        assert got == [[c.value for c in row] for row in mine[name].iter_rows()], name
    ws = theirs["项目指标"]
    assert ws.max_row == mine["项目指标"].max_row > 40
    assert ws["C2"].data_type == "s" and isinstance(ws["J2"].value, (int, float))
    (table,) = mine["项目指标"].tables.values()
    assert table.ref == f"A1:M{ws.max_row}"


def test_encoding_is_for_csv_only(returns, tmp_path):
    """--encoding with the workbook is refused (it would be ignored), before anything is
    written; the help says it is for CSV."""
    out = tmp_path / "汇编"
    result = export(str(returns), "-o", str(out), "--encoding", "gbk", "-q")
    assert result.exit_code == 2
    assert "--encoding 只用于 CSV" in result.output and "--format csv" in result.output
    assert not out.exists()
    result = export(str(returns), "-o", str(out), "--format", "xlsx", "--encoding", "utf-8", "-q")
    assert result.exit_code == 2 and not out.exists()
    assert "只用于CSV（--formatcsv）" in re.sub(r"\s+", "", runner.invoke(app, ["export", "--help"]).output)


@pytest.mark.parametrize("text, xml", [
    ("≥95百分比", "≥95百分比"),
    ("A&B<优>", "A&amp;B&lt;优&gt;"),
    ("第一行\n第二行", "第一行\n第二行"),
    ("x\x01y\rz", "x_x0001_y_x000D_z"),            # control characters as Excel writes them
    ("_x0041_", "_x005F_x0041_"),                   # text that looks like such an escape
    ("\ufffe", "_xFFFE_"),
])
def test_cell_text_is_escaped_as_excel_escapes_it(text, xml):
    from xltool.export.sheetdata import text_xml
    assert text_xml(text) == xml


def test_text_survives_the_streamed_rows(tmp_path):
    """Text as typed (markup characters, line breaks, spaces at the ends) reads back unchanged;
    an empty table keeps its header and one-row table range."""
    from xltool.export.consolidated import write_workbook
    from xltool.export.tables import Column, Table
    texts = ["A&B <优>", "1.保障工作\n2.按时完成", "  前后有空格  ", "0013022925000000000123"]
    table = Table("项目", [Column("项目名称", width=50), Column("预算数", "amount")],
                  [[t, Decimal("1.5")] for t in texts])
    write_workbook(tmp_path / "t.xlsx", [table, Table("空", [Column("单位编码")])], [])
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert [r[0] for r in wb["项目"].iter_rows(min_row=2, values_only=True)] == texts
    assert [r[1] for r in wb["项目"].iter_rows(min_row=2, values_only=True)] == [1.5] * 4
    assert wb["项目"]["A2"].alignment.wrap_text and wb["项目"]["B2"].number_format == "#,##0.00"
    (table,) = wb["项目"].tables.values()
    assert table.ref == "A1:B5"
    assert [[c.value for c in r] for r in wb["空"].iter_rows()] == [["单位编码"]]
    (empty,) = wb["空"].tables.values()
    assert empty.ref == "A1:A2"


def test_returns_with_errors_are_not_taken_apart_for_nothing(returns, tmp_path, monkeypatch):
    """Without --include-errors a return whose own checks found an error is left out, so the
    check does not take its targets; the clean one's are still taken in the check."""
    from xltool.export import collect
    from xltool.export.run import export as run_export

    taken, reads = [], []
    real_targets, real_read = collect.unit_targets, collect.read_workbook
    monkeypatch.setattr(collect, "unit_targets",
                        lambda wb, **kw: taken.append(wb.unit_code) or real_targets(wb, **kw))
    monkeypatch.setattr(collect, "read_workbook", lambda p: reads.append(p) or real_read(p))
    done = run_export([returns], tmp_path / "汇编")
    assert taken == ["484001"] and reads == []
    assert [u.code for u in done.collected.units] == ["484001"]
    assert [x.unit_code for x in done.collected.left_out] == ["489001"]


def _prose_by_line(value) -> str:
    """prose as first written: each line on its own, each character looked at."""
    import unicodedata
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = (" ".join("".join(ch for ch in line if unicodedata.category(ch) != "Cf").split())
             for line in str(value).splitlines())
    return "\n".join(line for line in lines if line)


PROSE_CHARS = "保障工作 \t\n\r\u3000\u00a0\u200b\u00ad\ufeff\u2028\x0b\x1c\x85，。：≥%aA1\U00020000"


@given(st.text(alphabet=st.sampled_from(PROSE_CHARS), max_size=30) | st.text(max_size=30)
       | st.floats(allow_nan=False) | st.integers() | st.none())
@settings(max_examples=400, deadline=None)
def test_prose_keeps_its_meaning(value):
    from xltool.export.model import prose
    assert prose(value) == _prose_by_line(value)


def test_every_invisible_character_is_looked_for():
    """The quick test for invisible characters covers every Cf character of this Python's
    Unicode database (a new Unicode version adding some elsewhere makes this fail)."""
    import sys
    import unicodedata

    from xltool.export.model import MAYBE_INVISIBLE
    missed = [hex(c) for c in range(sys.maxunicode + 1)
              if unicodedata.category(chr(c)) == "Cf" and not MAYBE_INVISIBLE.match(chr(c))]
    assert missed == []


def test_streamed_rows_with_empty_cells_and_recurring_values(tmp_path):
    """Empty cells stay empty wherever they are; a value recurring in other rows and columns
    is written as each column writes it (text in a text column, a number in an amount one)."""
    from xltool.export.consolidated import write_workbook
    from xltool.export.tables import Column, Table
    rows = [["95", Decimal("95"), None, "优"], [None, Decimal("95"), "95", ""],
            ["95", None, "", None], ["优", Decimal("0.5"), "95", "95"]]
    table = Table("项目指标", [Column("三级指标"), Column("指标值", "value"), Column("计量单位"),
                           Column("指标值确定依据", width=50)], rows)
    write_workbook(tmp_path / "t.xlsx", [table], [])
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["项目指标"]
    got = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert got == [["95", 95, None, "优"], [None, 95, "95", None], ["95", None, None, None],
                   ["优", 0.5, "95", "95"]]
    assert ws["B2"].number_format == "0.##########" and ws["D5"].alignment.wrap_text
    (t,) = ws.tables.values()
    assert t.ref == "A1:D5"


def test_indicator_rows_made_once_are_still_their_own():
    """An indicator row met again (same reading, same texts) is the one made before; any other
    text, or the same text as another type of cell value, makes its own."""
    from types import SimpleNamespace

    from xltool.check.checks.indicators import Reading
    from xltool.export.model import indicators_of

    class Row:
        def __init__(self, reading, tier3, description, basis="计划标准"):
            self.reading = reading
            self.cells = {"tier3": tier3, "description": description, "basis": basis}

        def values(self, keys):
            return [self.cells[k] for k in keys]

    ge95 = Reading("产出指标", "数量指标", "完成率", "≥", "≥", None, Decimal("95"), None, "百分比",
                   "百分比")
    rows = [Row(ge95, "完成率", "按时完成"), Row(ge95, "完成率", "全部完成"),
            Row(ge95, "完成率", "按时完成", "历史标准"), Row(ge95, 1, "按时完成"),
            Row(ge95, 1.0, "按时完成"), Row(ge95, True, "按时完成"), Row(ge95, "完成率", "按时完成")]
    project = SimpleNamespace(indicators=rows)
    got = indicators_of(SimpleNamespace(spec=None), project)
    assert [(i.tier3, i.description, i.basis) for i in got] == [
        ("完成率", "按时完成", "计划标准"), ("完成率", "全部完成", "计划标准"),
        ("完成率", "按时完成", "历史标准"), ("1", "按时完成", "计划标准"),
        ("1", "按时完成", "计划标准"), ("True", "按时完成", "计划标准"),
        ("完成率", "按时完成", "计划标准")]
    assert got[6] is got[0] and indicators_of(SimpleNamespace(spec=None), project) == got
    assert {(i.operator, i.value, i.unit) for i in got} == {("≥", Decimal("95"), "百分比")}


def test_a_shipped_mapping_is_found_by_its_name_alone(tmp_path, monkeypatch):
    """Installed from a wheel there is no mappings/ folder beside the user's files: the
    example mapping is named by its file name, and a wrong name lists the shipped ones."""
    from xltool.export.mapping import MappingError, load_mapping
    monkeypatch.chdir(tmp_path)
    by_name = load_mapping("示例_预算一体化系统.yaml")
    assert by_name == load_mapping(REPO / "mappings" / "示例_预算一体化系统.yaml")
    with pytest.raises(MappingError) as refused:
        load_mapping("示例_预算系统.yaml")
    assert "示例_预算一体化系统.yaml" in str(refused.value) and "default.yaml" in str(refused.value)
