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

from .atomic import atomic_path
from .cells import CellRange
from .report import FileReport, Issue

ANNOTATION_SHEET = "问题清单"   # the checker ignores a sheet of this name
ERROR_FILL = PatternFill("solid", fgColor="FFFFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFFFEB9C")
HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
MAX_FILLED_RANGE = 400        # larger ranges get the comment on their first cell only
THIN = Side(style="thin", color="FF999999")
SEVERITY = {"error": "错误", "warning": "警告"}


def safe_text(value: object) -> str:
    """Text that no spreadsheet will read as a formula (=, +, -, @ lead to a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _mark(wb, issues: list[Issue]) -> None:
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
            ws.cell(r + 1, c + 1).fill = fill
        first = ws.cell(rng.row1 + 1, rng.col1 + 1)
        text = "\n".join(f"【{SEVERITY[i.severity]} {i.code}】{i.message}" for i in found)
        if first.comment is not None:
            text = first.comment.text + "\n" + text
        comment = Comment(text, "xltool 审核")
        comment.width, comment.height = 320, min(60 + 40 * len(found) + len(text) // 2, 400)
        first.comment = comment


def _issue_sheet(wb, report: FileReport) -> None:
    ws = wb.create_sheet(ANNOTATION_SHEET, 0)
    ws.append([f"审核问题清单：{Path(report.path).name}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"共 {report.errors} 个错误、{report.warnings} 个警告。点击“位置”可跳到对应单元格；"
               "改正后删除不删除本页均可，保存为 .xlsx 后重新报送。"])
    header = ["序号", "工作表", "位置", "级别", "代码", "问题"]
    ws.append(header)
    for col in range(1, len(header) + 1):
        cell = ws.cell(3, col)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, Border(THIN, THIN, THIN, THIN)
    for n, issue in enumerate(report.issues, start=1):
        row = [n, safe_text(issue.sheet or "（整个文件）"), issue.cell or "—",
               SEVERITY[issue.severity], issue.code, safe_text(issue.message)]
        ws.append(row)
        r = ws.max_row
        for col in range(1, len(header) + 1):
            cell = ws.cell(r, col)
            cell.border = Border(THIN, THIN, THIN, THIN)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.data_type = "s" if isinstance(cell.value, str) else cell.data_type
        ws.cell(r, 4).fill = ERROR_FILL if issue.severity == "error" else WARNING_FILL
        if issue.sheet in wb.sheetnames and issue.cell:
            link = ws.cell(r, 3)
            target = CellRange.parse(issue.cell).top_left
            sheet = issue.sheet.replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!{target}",
                                       display=issue.cell)
            link.font = Font(color="FF0563C1", underline="single")
    for col, width in zip("ABCDEF", (6, 24, 10, 6, 8, 80)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False


def annotate(src: Path, dest: Path, report: FileReport) -> None:
    """Write the annotated copy of `src` to `dest` (atomically); `src` is only read."""
    wb = openpyxl.load_workbook(src)
    if ANNOTATION_SHEET in wb.sheetnames:   # a copy annotated before: start afresh
        del wb[ANNOTATION_SHEET]
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.comment is not None and cell.comment.author == "xltool 审核":
                        cell.comment = None
    _mark(wb, report.issues)
    _issue_sheet(wb, report)
    with atomic_path(dest) as tmp:
        wb.save(tmp)
