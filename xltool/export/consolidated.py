"""Writing the tables: one workbook (绩效目标汇总.xlsx) or one CSV file per table.

Amounts and values are numbers, codes are text (never 1.3E+19, never a lost leading zero); in
the workbook every table is an Excel table with filters, a frozen header and set widths. The
sheet 未导出 lists what was left out and why. Every file is written atomically.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from functools import partial
from typing import Callable

from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name

from ..atomic import atomic_path, write_bytes_atomic
from .collect import LeftOut
from .model import number_text
from .sheetdata import (Cell, Rows, add_rows, blank_cell, number_cell, number_xml, rows_xml,
                        text_cell)
from .tables import Column, Table

WORKBOOK_NAME = "绩效目标汇总.xlsx"
LEFT_OUT_SHEET = "未导出"
ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "utf-8-sig": "utf-8-sig",
             "gbk": "gbk", "gb18030": "gb18030"}


class EncodingProblem(Exception):
    """A value cannot be written in the chosen encoding (Chinese message)."""


def write_workbook(path: Path, tables: list[Table], left_out: list[LeftOut]) -> None:
    """The workbook: xlsxwriter writes the frame of every sheet (header, table, widths, print
    setup) and the 未导出 sheet; the table rows are streamed in as the file is saved."""
    package = io.BytesIO()
    wb = Workbook(package, {"strings_to_formulas": False, "strings_to_numbers": False,
                            "strings_to_urls": False})
    wb.set_properties({"title": "绩效目标汇总", "author": "xltool"})
    base = {"font_name": "宋体", "font_size": 10, "valign": "top"}
    formats = {"text": wb.add_format({**base, "num_format": "@"}),
               "amount": wb.add_format({**base, "num_format": "#,##0.00"}),
               "number": wb.add_format({**base, "num_format": "0.##########"}),
               "wrap": wb.add_format({**base, "num_format": "@", "text_wrap": True}),
               "header": wb.add_format({**base, "bold": True, "text_wrap": True})}
    # the style numbers the streamed cells refer to (registered even where no cell of
    # xlsxwriter's own uses them)
    styles = {k: f._get_xf_index() for k, f in formats.items()}
    sheets = []
    for n, table in enumerate(tables, start=1):
        name = _table_sheet(wb, table, formats)
        last = f"{xl_col_to_name(len(table.columns) - 1)}{max(len(table.rows), 1) + 1}"
        sheets.append(Rows(n, name, last, rows_xml(table.rows, _columns(table, styles))))
    _left_out_sheet(wb, left_out, formats)
    wb.close()
    package.seek(0)
    with atomic_path(path) as tmp, open(tmp, "wb") as dest:
        add_rows(package, dest, sheets)


def _table_sheet(wb, table: Table, formats: dict) -> str:
    """One table's sheet as an Excel table (filters, frozen header), made for one data row:
    the rows, and the table's real range, are added as the file is saved (sheetdata)."""
    ws = wb.add_worksheet(table.name)
    for c, col in enumerate(table.columns):
        ws.set_column(c, c, col.width, formats["text"] if col.kind == "text" else None)
    name = f"xt_table_{len(wb.worksheets())}"
    ws.add_table(0, 0, 1, len(table.columns) - 1,
                 {"columns": [{"header": c.name, "header_format": formats["header"]}
                              for c in table.columns], "autofilter": True,
                  "style": "Table Style Light 9", "name": name})
    _print_setup(ws)
    return name


def _columns(table: Table, styles: dict[str, int]) -> list[Callable[[object], Cell]]:
    """How each column's values become cells: amounts and values numbers, the rest text."""
    return [partial(_cell, numeric=col.kind != "text",
                    text_style=styles["wrap"] if col.width >= 40 else styles["text"],
                    number_style=styles["amount"] if col.kind == "amount" else styles["number"])
            for col in table.columns]


def _cell(value: object, numeric: bool, text_style: int, number_style: int) -> Cell:
    if value is None or value == "":
        return blank_cell(number_style if numeric else text_style)
    if isinstance(value, Decimal):
        number = number_xml(float(value)) if numeric else None
        return number_cell(number, number_style) if number is not None else \
            text_cell(number_text(value), text_style)
    return text_cell(str(value), text_style)


def _print_setup(ws) -> None:
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)          # A4
    ws.fit_to_pages(1, 0)    # one page wide
    ws.repeat_rows(0)


def _left_out_sheet(wb, left_out: list[LeftOut], formats: dict) -> None:
    ws = wb.add_worksheet(LEFT_OUT_SHEET)
    headers = ["单位编码", "单位名称", "文件", "原因"]
    if not left_out:
        ws.write_string(0, 0, "所有单位的报表都已导出。", formats["text"])
        ws.set_column(0, 0, 30)
        return
    ws.add_table(0, 0, len(left_out), 3, {"columns": [{"header": h, "header_format":
                                                       formats["header"]} for h in headers],
                                          "style": "Table Style Light 10", "name": "xt_left_out"})
    for r, item in enumerate(left_out, start=1):
        for c, v in enumerate((item.unit_code, item.unit_name, item.file, item.reason)):
            ws.write_string(r, c, v, formats["wrap"] if c == 3 else formats["text"])
    for c, width in enumerate((12, 28, 48, 80)):
        ws.set_column(c, c, width)
    _print_setup(ws)


def csv_bytes(table: Table, encoding: str = "utf-8") -> bytes:
    """One table as CSV (CRLF, as Excel writes it); numbers plain (20000.00, 95)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        out = []
        for col, value in zip(table.columns, row):
            if value is None:
                out.append("")
            elif isinstance(value, Decimal):
                out.append(format(value.quantize(Decimal("0.01")), "f") if col.kind == "amount"
                           else number_text(value))
            else:
                out.append(str(value))
        writer.writerow(out)
    text = buf.getvalue()
    codec = ENCODINGS[encoding.lower()]
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        bad = text[exc.start:exc.end]
        raise EncodingProblem(f"表“{table.name}”中有 {encoding.upper()} 编码无法表示的字符“{bad}”"
                              f"，请改用默认的 UTF-8 编码（不加 --encoding）。") from exc


def write_csvs(out_dir: Path, tables: list[Table], left_out: list[LeftOut],
               encoding: str = "utf-8") -> list[Path]:
    """One CSV per table plus 未导出.csv; all encoded first, so a bad character writes none."""
    left = Table(LEFT_OUT_SHEET, [], [])
    left.columns = [Column(h) for h in ("单位编码", "单位名称", "文件", "原因")]
    left.rows = [[x.unit_code, x.unit_name, x.file, x.reason] for x in left_out]
    payloads = [(out_dir / f"{t.name}.csv", csv_bytes(t, encoding)) for t in [*tables, left]]
    for path, data in payloads:
        write_bytes_atomic(path, data)
    return [p for p, _ in payloads]
