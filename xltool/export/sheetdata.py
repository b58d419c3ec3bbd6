"""The data rows of the consolidated tables, streamed straight into the saved workbook.

xlsxwriter keeps every cell of a workbook in memory as an object and turns it into XML when
the workbook is closed; for 1,000 returns that is close to two million cells and most of the
export's own time. Its streaming mode (constant_memory) refuses Excel tables, which the
consolidated workbook needs, and its add_table keeps an entry for every cell of the table's
range. So xlsxwriter writes each table sheet with its header row and a table of one data row
(widths, print setup), and the rows are then added to the sheet's <sheetData> as XML, row by
row, while the package is copied to its final place: inline strings (no shared string table
to build), the same styles xlsxwriter registered, the same escaping it uses; the sheet's
dimension and its table's range are set to the real size.
"""
from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass
from operator import call
from typing import IO, Callable, Iterable, Iterator

from xlsxwriter.utility import xl_col_to_name

from ..report.sheetrows import CHUNK_ROWS, sheet_frame, text_xml

# A cell as written after its reference (`<c r="B7`): its style, type and value; the same
# for every cell of a column with that value, so it is made once per column and value
Cell = str
Row = list["Cell | None"]


def number_xml(number: float) -> str | None:
    """A number as a cell value (as xlsxwriter writes it); None when not finite."""
    return f"{number:.16G}" if math.isfinite(number) else None


def text_cell(text: str, style: int) -> Cell:
    """An inline string cell; spaces at its ends kept (xml:space, as xlsxwriter sets it)."""
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'" s="{style}" t="inlineStr"><is><t{space}>{text_xml(text)}</t></is></c>'


def number_cell(number: str, style: int) -> Cell:
    """A number cell; number as number_xml gives it."""
    return f'" s="{style}"><v>{number}</v></c>'


def blank_cell(style: int) -> Cell:
    """An empty cell with a style (as Excel writes a formatted empty cell)."""
    return f'" s="{style}"/>'


def rows_xml(rows: Iterable[list], columns: list[Callable[[object], Cell]],
             first_row: int = 2) -> Iterator[bytes]:
    """<row> elements (UTF-8), CHUNK_ROWS at a time, of rows of values: columns[c](value) is
    the cell of column c for a value (text_cell, number_cell or blank_cell).

    A column's cell for a value is made once (values recur: units, tiers, bases, amounts),
    together with the start of the next cell, so a row is its row number joining the pieces
    (`<c r="A` 7 `" s="1" ...</c><c r="B` 7 `...</row>`)."""
    n = len(columns)
    heads = [f'<c r="{xl_col_to_name(c)}' for c in range(n)] + ["</row>"]
    first = heads[0].encode()
    made: list[dict] = [{} for _ in columns]
    finds = [m.get for m in made]
    chunk: list[bytes] = []
    for r, row in enumerate(rows, start=first_row):
        if len(row) != n:
            row = (list(row) + [None] * n)[:n]
        try:
            pieces = list(map(call, finds, row))
        except TypeError:   # a value that is no key (a signalling NaN)
            pieces = [None] * n
        if None in pieces:   # values not seen before in their column
            for c, value in enumerate(row):
                if pieces[c] is None:
                    pieces[c] = (columns[c](value) + heads[c + 1]).encode("utf-8")
                    try:
                        made[c][value] = pieces[c]
                    except TypeError:
                        pass
        ref = b"%d" % r
        chunk.append(b'<row r="%b">%b%b%b' % (ref, first, ref, ref.join(pieces)))
        if len(chunk) >= CHUNK_ROWS:
            yield b"".join(chunk)
            chunk = []
    if chunk:
        yield b"".join(chunk)


def _sheet_with_rows(xml: str, rows: Iterator[bytes], last_cell: str) -> Iterator[bytes]:
    """The sheet part with the rows appended to its <sheetData> and its dimension set."""
    head, tail = sheet_frame(xml, last_cell)
    yield head.encode("utf-8")
    yield from rows
    yield tail.encode("utf-8")


@dataclass
class Rows:
    """The rows for one sheet: its position in the workbook (1-based), its table's name, the
    last cell of the data (e.g. "M1201") and the rows as rows_xml gives them."""
    sheet: int
    table: str
    last_cell: str
    rows: Iterator[bytes]

    @property
    def placeholder(self) -> str:
        """The range the table was created with: the header and one data row."""
        return f"A1:{re.sub(r'[0-9]+', '', self.last_cell)}2"


def _table_part(xml: str, by_table: dict[str, Rows]) -> str:
    m = re.search(r' name="([^"]+)"', xml)
    rows = by_table.get(m.group(1)) if m else None
    if rows is None:
        return xml
    return xml.replace(f'ref="{rows.placeholder}"', f'ref="A1:{rows.last_cell}"')


FAST = 1   # deflate level of the big table sheets: a few per cent larger, several times faster


def add_rows(package: IO[bytes], dest: IO[bytes], sheets: list[Rows]) -> None:
    """Copy the package xlsxwriter wrote into dest, adding the rows to their sheets."""
    by_sheet = {s.sheet: s for s in sheets}
    by_table = {s.table: s for s in sheets}
    with zipfile.ZipFile(package) as zin, \
            zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if re.fullmatch(r"xl/tables/table\d+\.xml", info.filename):
                zout.writestr(info, _table_part(data.decode("utf-8"), by_table))
                continue
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m is None or int(m.group(1)) not in by_sheet:
                zout.writestr(info, data)
                continue
            target = by_sheet[int(m.group(1))]
            part_info = zipfile.ZipInfo(info.filename, info.date_time)
            part_info.compress_type = zipfile.ZIP_DEFLATED
            setattr(part_info, "compress_level" if hasattr(part_info, "compress_level")
                    else "_compresslevel", FAST)   # named compress_level from Python 3.13
            with zout.open(part_info, "w") as fh:
                for part in _sheet_with_rows(data.decode("utf-8"), target.rows,
                                                 target.last_cell):
                    fh.write(part)
