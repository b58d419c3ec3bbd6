"""The annotated copy of a returned workbook: each problem shown at its cell.

The township's own file is copied (the original is only read), every cell with an issue gets
a fill (red for errors, yellow for warnings) and a comment with the messages, and a first sheet
问题清单 lists every issue with a link to its cell. Protection, dropdowns, names and the
identity sheet are kept, so the township can correct this very file and send it back.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.hyperlink import Hyperlink

from ..atomic import atomic_path
from ..template.cells import CellRange
from ..check.report import FileReport, Issue

ANNOTATION_SHEET = "问题清单"   # the checker ignores a sheet of this name
ERROR_FILL = PatternFill("solid", fgColor="FFFFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFFFEB9C")
HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
MAX_FILLED_RANGE = 400        # larger ranges get the comment on their first cell only
THIN = Side(style="thin", color="FF999999")
SEVERITY = {"error": "错误", "warning": "警告"}
AUTHOR = "xltool 审核"


def put_text(cell, value: object) -> None:
    """Write text that stays text: a value starting with =, +, - or @ never becomes a formula."""
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"


RESTORE_COL = 10   # hidden columns J:L of 问题清单 remember the fills that were replaced


def _fill_key(fill) -> str:
    color = fill.fgColor.rgb if fill is not None and fill.fill_type else None
    return f"{fill.fill_type}|{color}" if isinstance(color, str) else "none"


def _restore(wb) -> None:
    """Undo an earlier annotation: original fills back, our comments and the sheet removed."""
    ws = wb[ANNOTATION_SHEET]
    for sheet, ref, key in ws.iter_rows(min_row=4, min_col=RESTORE_COL,
                                        max_col=RESTORE_COL + 2, values_only=True):
        if sheet in wb.sheetnames and ref and key:
            fill_type, _, color = str(key).partition("|")
            wb[sheet][ref].fill = PatternFill() if key == "none" else \
                PatternFill(fill_type, fgColor=color)
    del wb[ANNOTATION_SHEET]
    for other in wb.worksheets:
        for row in other.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == AUTHOR:
                    cell.comment = None


def _mark(wb, issues: list[Issue]) -> list[tuple[str, str, str]]:
    """Fill and comment the issue cells; returns (sheet, ref, original fill) of what changed."""
    replaced: list[tuple[str, str, str]] = []
    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.sheet in wb.sheetnames and issue.cell:
            by_cell[(issue.sheet, issue.cell)].append(issue)
    for (sheet, ref), found in by_cell.items():
        ws = wb[sheet]
        rng = CellRange.parse(ref)
        fill = ERROR_FILL if any(i.severity == "error" for i in found) else WARNING_FILL
        cells = list(rng.cells()) if len(list(rng.cells())) <= MAX_FILLED_RANGE else \
            [(rng.row1, rng.col1)]
        for r, c in cells:
            cell = ws.cell(r + 1, c + 1)
            replaced.append((sheet, cell.coordinate, _fill_key(cell.fill)))
            cell.fill = fill
        first = ws.cell(rng.row1 + 1, rng.col1 + 1)
        text = "\n".join(f"【{SEVERITY[i.severity]} {i.code}】{i.message}" for i in found)
        if first.comment is not None:
            text = first.comment.text + "\n" + text
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 320, min(60 + 40 * len(found) + len(text) // 2, 400)
        first.comment = comment
    return replaced


def _issue_sheet(wb, report: FileReport, replaced: list[tuple[str, str, str]]) -> None:
    ws = wb.create_sheet(ANNOTATION_SHEET, 0)
    ws.append([None])
    put_text(ws["A1"], f"审核问题清单：{Path(report.path).name}")
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"共 {report.errors} 个错误、{report.warnings} 个警告。点击“位置”可跳到对应单元格；"
               "改正后本页可保留或删除，保存为 .xlsx 后重新报送。"])
    header = ["序号", "工作表", "位置", "级别", "代码", "问题"]
    ws.append(header)
    for col in range(1, len(header) + 1):
        cell = ws.cell(3, col)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, Border(THIN, THIN, THIN, THIN)
    for n, issue in enumerate(report.issues, start=1):
        ws.append([n])
        for col, text in enumerate((issue.sheet or "（整个文件）", issue.cell or "—",
                                    SEVERITY[issue.severity], issue.code, issue.message), start=2):
            put_text(ws.cell(ws.max_row, col), text)
        r = ws.max_row
        for col in range(1, len(header) + 1):
            cell = ws.cell(r, col)
            cell.border = Border(THIN, THIN, THIN, THIN)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(r, 4).fill = ERROR_FILL if issue.severity == "error" else WARNING_FILL
        ws.row_dimensions[r].height = 14 * max(1, -(-len(issue.message) * 2 // 76)) + 4
        if issue.sheet in wb.sheetnames and issue.cell:
            link = ws.cell(r, 3)
            target = CellRange.parse(issue.cell).top_left
            sheet = issue.sheet.replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!{target}",
                                       display=issue.cell)
            link.font = Font(color="FF0563C1", underline="single")
    for col, width in zip("ABCDEF", (6, 24, 10, 6, 8, 80)):
        ws.column_dimensions[col].width = width
    for i, (sheet, ref, key) in enumerate(replaced):
        for j, value in enumerate((sheet, ref, key)):
            put_text(ws.cell(4 + i, RESTORE_COL + j), value)
    for col in ("J", "K", "L"):
        ws.column_dimensions[col].hidden = True
    ws.freeze_panes = "A4"
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", 9
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"
    ws.print_area = f"A1:F{max(ws.max_row, 3)}"
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False


def annotate(src: Path, dest: Path, report: FileReport) -> None:
    """Write the annotated copy of `src` to `dest` (atomically); `src` is only read."""
    wb = openpyxl.load_workbook(src)
    if ANNOTATION_SHEET in wb.sheetnames:   # a copy annotated before: start afresh
        _restore(wb)
    _issue_sheet(wb, report, _mark(wb, report.issues))
    with atomic_path(dest) as tmp:
        wb.save(tmp)
