"""Text rows streamed into a sheet as its workbook is saved.

xlsxwriter keeps every cell as an object and turns it into XML when the workbook closes: for
the 问题明细 sheet of a batch of 1,000 returns (tens of thousands of issues, nine cells each)
that is most of the time the summary takes. So xlsxwriter writes the sheet's frame (header,
an Excel table made for one data row, widths, print setup) and the rows are added to its
<sheetData> as XML while the package is copied to its final place: inline strings (no shared
string table to build), a style xlsxwriter registered, a row height where the text wraps;
the sheet's dimension and its table's range are set to the real size.
"""
from __future__ import annotations

import re
import zipfile
from typing import IO, Iterable, Iterator

from ..template.cells import col_letters

CHUNK_ROWS = 2000
FAST = 1   # deflate level of the streamed sheet: a few per cent larger, several times faster
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")


def text_xml(text: str) -> str:
    """A string as cell text, escaped as Excel (and xlsxwriter) escape it."""
    if not _SPECIAL.search(text):
        return text
    text = _ESCAPED.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_rows(rows: Iterable[tuple[list[str], float | None]], style: int,
              first_row: int = 2) -> Iterator[str]:
    """<row> elements of text cells (all in `style`), CHUNK_ROWS at a time; each row comes
    with its height in points (None: the default height). An empty string is a cell with
    the style and no value."""
    formats: dict[int, str] = {}   # the XML of a whole row of n non-empty cells, to format
    names: list[str] = []
    chunk: list[str] = []
    for r, (values, height) in enumerate(rows, start=first_row):
        n = len(values)
        while len(names) < n:
            names.append(col_letters(len(names)))
        if _SPECIAL.search("".join(values)):
            values = [text_xml(v) for v in values]
        size = f' ht="{height}" customHeight="1"' if height is not None else ""
        if all(values):
            if n not in formats:
                formats[n] = "<row r=\"{0}\"{1}>" + "".join(
                    f'<c r="{names[c]}{{0}}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
                    f"{{{c + 2}}}</t></is></c>" for c in range(n)) + "</row>"
            chunk.append(formats[n].format(r, size, *values))
        else:
            cells = "".join(f'<c r="{name}{r}" s="{style}" t="inlineStr"><is><t xml:space='
                            f'"preserve">{v}</t></is></c>' if v else f'<c r="{name}{r}" s="{style}"/>'
                            for name, v in zip(names, values))
            chunk.append(f'<row r="{r}"{size}>{cells}</row>')
        if len(chunk) >= CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def sheet_frame(xml: str, last_cell: str) -> tuple[str, str]:
    """A sheet part cut where rows are to be appended to its <sheetData>, its dimension set
    to A1:last_cell: (what comes before the rows, what comes after)."""
    xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last_cell}"/>', xml, 1)
    if "<sheetData/>" in xml:
        head, tail = xml.split("<sheetData/>", 1)
        return head + "<sheetData>", "</sheetData>" + tail
    head, tail = xml.split("</sheetData>", 1)
    return head, "</sheetData>" + tail


def _sheet(xml: str, rows: Iterator[str], last_cell: str) -> Iterator[str]:
    """The sheet part with the rows appended to its <sheetData> and its dimension set."""
    head, tail = sheet_frame(xml, last_cell)
    yield head
    yield from rows
    yield tail


def add_rows(package: IO[bytes], dest: IO[bytes], sheet: int, table: str, last_cell: str,
             rows: Iterator[str]) -> None:
    """Copy the package xlsxwriter wrote into dest, adding `rows` to its sheet number `sheet`
    (1-based) and setting the range of its table named `table` (made as header + one data
    row) to end at `last_cell`."""
    placeholder = f"A1:{re.sub(r'[0-9]+', '', last_cell)}2"
    sheet_part = f"xl/worksheets/sheet{sheet}.xml"
    with zipfile.ZipFile(package) as zin, \
            zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if re.fullmatch(r"xl/tables/table\d+\.xml", info.filename):
                xml = data.decode("utf-8")
                if f' name="{table}"' in xml:
                    xml = xml.replace(f'ref="{placeholder}"', f'ref="A1:{last_cell}"')
                zout.writestr(info, xml)
            elif info.filename != sheet_part:
                zout.writestr(info, data)
            else:
                part = zipfile.ZipInfo(info.filename, info.date_time)
                part.compress_type = zipfile.ZIP_DEFLATED
                setattr(part, "compress_level" if hasattr(part, "compress_level")
                        else "_compresslevel", FAST)   # named compress_level from Python 3.13
                with zout.open(part, "w") as fh:
                    for piece in _sheet(data.decode("utf-8"), rows, last_cell):
                        fh.write(piece.encode("utf-8"))
