"""What prints: the 汇总 workbook on A4, the generated form's labels and row heights."""
from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest
from support import convert
from typer.testing import CliRunner

from xltool.cli import app
from xltool.report.summary import DETAIL_WIDTHS, SUMMARY_WIDTHS
from xltool.template.fill import fill_workbook
from xltool.template.writer import text_height

runner = CliRunner()
MANIFEST = "examples/generated/xltool-manifest.json"
# A4 landscape minus 0.4" margins is about 1046 px; a column of width w is about 7w + 5 px.
PRINTABLE_PX = 1046


def _first_project(wb):
    return next(n for n in wb.sheetnames if n.startswith(("1.", "项目1")))


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep")
    result = runner.invoke(app, ["check", "examples/returns", "--units", MANIFEST, "-o",
                                 str(out), "-q"])
    assert result.exit_code == 1, result.output
    return out / "汇总.xlsx"


@pytest.mark.parametrize("widths", [SUMMARY_WIDTHS, DETAIL_WIDTHS])
def test_sheets_fit_a4_landscape_at_9_points_or_more(widths):
    scale = min(1.0, PRINTABLE_PX / sum(7 * w + 5 for w in widths))
    assert 10 * scale >= 9


def test_summary_prints_on_a4_landscape_with_wrapped_rows(summary):
    wb = openpyxl.load_workbook(summary)
    for name in ("汇总", "问题明细"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
        assert ws.page_setup.fitToHeight == 0
    ws = wb["汇总"]
    assert [ws.cell(r, 1).value for r in range(5, 8)] == [1, 2, 3]   # 序号 are numbers
    row = next(r for r in range(5, 8) if ws.cell(r, 2).value == "489001")
    assert ws.cell(row, 5).alignment.wrap_text and ws.cell(row, 9).alignment.wrap_text
    assert ws.row_dimensions[row].height >= text_height(ws.cell(row, 9).value, SUMMARY_WIDTHS[8]) - 1
    detail = wb["问题明细"]
    for r in range(2, detail.max_row + 1):
        assert detail.cell(r, 9).alignment.wrap_text
        assert (detail.row_dimensions[r].height or 15) >= text_height(
            detail.cell(r, 9).value, DETAIL_WIDTHS[8]) - 1
    rules = wb["规则统计"]
    assert rules.sheet_properties.pageSetUpPr.fitToPage
    assert rules.page_setup.fitToHeight in (None, 1) and rules.page_setup.fitToWidth in (None, 1)


def test_rule_chart_is_on_one_page_with_every_label(summary, tmp_path):
    pdf = convert(summary, "pdf", tmp_path)
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True).stdout.splitlines()
        if line.startswith("Pages")))
    last = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-"],
                          capture_output=True, text=True).stdout.replace(" ", "")
    titles = [c.value for c in openpyxl.load_workbook(summary)["规则统计"]["B"][1:] if c.value]
    assert titles and "各规则发现的问题数" in last
    for title in titles:   # once in the table, once as the chart's label
        assert last.count(title.replace(" ", "")) >= 2, title


def test_form_labels_print_whole(tmp_path):
    form = sorted(Path("examples/generated").glob("484001_*.xlsx"))[0]
    wb = openpyxl.load_workbook(form)
    ws = wb[_first_project(wb)]
    assert ws["A2"].value == '=xt_unit_code&" "&xt_unit_name'
    values = openpyxl.load_workbook(form, data_only=True)
    assert values[ws.title]["A2"].value == "484001 玉田县林西镇人民政府本级"
    dept = values.sheetnames[1]   # the 部门整体绩效目标 sheet has the same unit line
    assert "484001 玉田县林西镇人民政府本级" in [c.value for row in values[dept]["A1:H3"]
                                               for c in row]
    label = ws["A6"].value
    assert label == "资金支出计划（%）"
    assert text_height(label, ws.column_dimensions["A"].width) <= text_height("一行", 10)


def test_long_indicator_text_grows_its_row(tmp_path):
    form = sorted(Path("examples/generated").glob("489002_*.xlsx"))[0]
    long = "农村生活垃圾收集转运处置体系覆盖行政村比例达到全县统一考核要求的百分比"
    out = tmp_path / "filled.xlsx"
    sheet = _first_project(openpyxl.load_workbook(form, read_only=True))
    fill_workbook(form, out, projects={sheet: {
        "fields": {"purpose": "保障" + "村庄保洁、垃圾清运、公厕维护、河道清理、绿化养护" * 4},
        "indicators": [["产出指标", "数量指标", long, long, "≥", 95, "百分比", "计划标准"],
                       ["产出指标", "质量指标", "短", "", "≥", 90, "百分比", "计划标准"]]}})
    ws = openpyxl.load_workbook(out)[sheet]
    assert ws.row_dimensions[10].height >= text_height(long, 20) > 30
    assert (ws.row_dimensions[11].height or 15) < 30
    assert ws.row_dimensions[5].height >= 40
