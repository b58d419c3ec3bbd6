""".xlsx read the fast way: python-calamine for values, scans of the small XML parts for the
rest (sheet states, defined names, number formats, formula cells)."""
from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

import xml.etree.ElementTree as ET

from ..template.cells import CellRange, cell_name, col_index
from ..values import is_percent_format
from .books import Book, SheetGrid, _calamine_merges, _no_dtd

_CELL_TAG = re.compile(rb'<(?:\w+:)?c\s')
_STYLE = re.compile(rb'<(?:\w+:)?c\s[^>]*?\bs="(\d+)"')
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_FORMULA = re.compile(rb'<(?:\w+:)?f[\s>/]')
_NUMFMT = re.compile(rb'<(?:\w+:)?numFmt\s+numFmtId="(\d+)"\s+formatCode="([^"]*)"')
_CELLXFS = re.compile(rb'<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>', re.S)
_XF_NUMFMT = re.compile(rb'<(?:\w+:)?xf\b(?:[^>]*?\bnumFmtId="(\d+)")?')
_CELL_END = re.compile(rb'</(?:\w+:)?c>')
_VALUE = re.compile(rb'<(?:\w+:)?v>(?!<)')   # <v/> and <v></v> hold no value…
_STR_RESULT = re.compile(rb'\bt="str"')          # …unless the formula's result is text ("")
_ERROR = re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]{1,3})(\d+)"[^>]*?\bt="e"[^>]*>.*?'
                    rb'<(?:\w+:)?v>([^<]*)<', re.S)
_SHEET_DATA = re.compile(rb'<(?:\w+:)?sheetData[\s>/]')
_SHEET_DATA_END = re.compile(rb'</(?:\w+:)?sheetData>')
_BUILTIN_FORMATS = {0: "General", 9: "0%", 10: "0.00%", 1: "0", 2: "0.00", 3: "#,##0",
                    4: "#,##0.00", 49: "@"}
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


class FastXlsxBook(Book):
    """.xlsx read the fast way: values from python-calamine; defined names, sheet states and
    number formats from the small workbook and style parts (parsed only when they hold no
    DTD, so no entity can be declared, let alone expanded); formula
    cells and style indices from a scan of the sheet XML that never expands anything."""

    def __init__(self, path: Path, zf: zipfile.ZipFile | None = None, data: bytes | None = None):
        """`zf` and `data`: the package already opened (and guarded) by open_book, and its
        bytes; they are taken over, and closed with the book."""
        from python_calamine import CalamineWorkbook
        if data is None:
            data = path.read_bytes()
        self._data = data
        self._zip = zf or zipfile.ZipFile(io.BytesIO(data))
        try:
            self._refuse_dtds()
            book = _parse(self._member("xl/workbook.xml"))
            rels = _parse(self._member("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", NS)}
            self.sheet_names, self.states, self._parts = [], {}, {}
            for sheet in book.find("m:sheets", NS):
                name = sheet.get("name")
                self.sheet_names.append(name)
                self.states[name] = sheet.get("state", "visible")
                target = targets.get(sheet.get(f"{{{NS['r']}}}id"), "")
                self._parts[name] = target.lstrip("/") if target.startswith("/") \
                    else "xl/" + target
            self._names: dict[tuple[str, str], str] = {}
            names = book.find("m:definedNames", NS)
            for dn in names if names is not None else []:
                local = dn.get("localSheetId")
                if local is not None and local.isdigit() and int(local) < len(self.sheet_names):
                    self._names[(self.sheet_names[int(local)], dn.get("name"))] = dn.text or ""
            self._formats = self._number_formats()
            self.saved_at = self._saved_at()
            self._values = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except BaseException:
            self._zip.close()
            raise
        self._grids: dict[tuple[str, int], SheetGrid] = {}
        # cell styles whose number format changes how a number is read: percentages
        self._special = {i for i, f in enumerate(self._formats) if is_percent_format(f)}

    def _refuse_dtds(self, names=("xl/sharedStrings.xml", "[Content_Types].xml")) -> None:
        """A DTD (how entity attacks start) never appears in a genuine workbook part. The parts
        only calamine reads are checked here; the ones read here are checked as they are read
        (_parse, _number_formats), each sheet before calamine reads it (_sheet_xml)."""
        present = set(self._zip.namelist())
        for name in names:
            if name in present:
                _no_dtd(self._head(name))

    def _sheet_xml(self, sheet: str) -> bytes:
        """The <sheetData> of a sheet: only there is a <c><f> a cell formula (Excel keeps
        validations and conditional formats with <xm:f> formulas in <extLst> after it)."""
        data = self._member(self._parts[sheet])   # its size was bounded by open_book
        _no_dtd(data[:1024])
        near = data.find(b"sheetData")   # a plain search, then the exact tag from just before
        start = _SHEET_DATA.search(data, max(0, near - 20)) if near >= 0 else None
        if start is None and near >= 0:
            start = _SHEET_DATA.search(data)
        if start is None:
            return b""
        end = data.rfind(b"sheetData>")      # the closing tag is the last one
        if end > start.start() + 1 and data[end - 1:end] in (b"/", b":"):
            return data[start.start():end + len(b"sheetData>")]
        end = _SHEET_DATA_END.search(data, start.end())
        return data[start.start():end.end() if end else len(data)]

    def _stored(self, name: str, limit: int | None = None) -> tuple[zipfile.ZipInfo, bytes | None]:
        """A part's entry, and its bytes as stored in the package (at most `limit` of them),
        when it is a plain deflated or stored part; None for anything else."""
        info = self._zip.getinfo(name)
        at = info.header_offset
        head = self._data[at:at + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04" or info.flag_bits & 1 \
                or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
            return info, None
        start = at + 30 + int.from_bytes(head[26:28], "little") \
            + int.from_bytes(head[28:30], "little")
        return info, self._data[start:start + min(info.compress_size, limit or info.compress_size)]

    def _member(self, name: str) -> bytes:
        """One part of the package, inflated straight from the bytes in memory; zipfile's own
        reader, which raises what a damaged part deserves, when that fails or mismatches."""
        info, raw = self._stored(name)
        if raw is not None:
            try:
                out = raw if info.compress_type == zipfile.ZIP_STORED else \
                    zlib.decompressobj(-15).decompress(raw, info.file_size + 1)
            except zlib.error:
                out = b""
            if len(out) == info.file_size and zlib.crc32(out) == info.CRC:
                return out
        return self._zip.read(name)

    def _head(self, name: str, size: int = 1024) -> bytes:
        """The first `size` bytes of a part (where a DTD would have to be)."""
        info, raw = self._stored(name, 64 * size)
        if raw is not None:
            try:
                out = raw[:size] if info.compress_type == zipfile.ZIP_STORED else \
                    zlib.decompressobj(-15).decompress(raw, size)
            except zlib.error:
                out = b""
            if len(out) == min(size, info.file_size):
                return out
        with self._zip.open(name) as fh:
            return fh.read(size)

    def _number_formats(self) -> list[str]:
        """Number format of each cell style (only the formats matter, so a scan suffices)."""
        try:
            styles = self._member("xl/styles.xml")
        except KeyError:
            return []
        _no_dtd(styles)
        custom = {int(i): html.unescape(code.decode("utf-8", "replace"))
                  for i, code in _NUMFMT.findall(styles)}
        xfs = _CELLXFS.search(styles)
        ids = [int(i) if i else 0 for i in _XF_NUMFMT.findall(xfs.group(1))] if xfs else []
        return [custom.get(i, _BUILTIN_FORMATS.get(i, "General")) for i in ids]

    def _saved_at(self) -> str | None:
        try:
            core = _parse(self._member("docProps/core.xml"))
        except KeyError:
            return None
        for tag in ("{http://purl.org/dc/terms/}modified", "{http://purl.org/dc/terms/}created"):
            node = core.find(tag)
            if node is not None and node.text:
                return node.text.strip().replace("Z", "+00:00")
        return None

    def grid(self, sheet, max_row):
        """One pass over the sheet: values and merges from one calamine parse, formulas and
        the styles of the numeric cells from one scan of its <sheetData>."""
        key = (sheet, max_row)
        if key not in self._grids:
            self._grids[key] = self._read_sheet(sheet, max_row)
        return self._grids[key]

    def _read_sheet(self, sheet: str, max_row: int) -> SheetGrid:
        xml = self._sheet_xml(sheet)          # refuses a DTD before calamine parses the part
        ws = self._values.get_sheet_by_name(sheet)
        cells, numbers = _values(ws.to_python(skip_empty_area=False, nrows=max_row))
        if numbers and self._special:
            formats = self._formats
            for pos, style in _styles(xml, numbers).items():
                if style in self._special:
                    cells[pos] = (cells[pos][0], formats[style])
        formulas = _formulas(xml, max_row)
        if b't="e"' in xml:                   # #DIV/0! and the like
            for letters, row_no, text in _ERROR.findall(xml):
                r = int(row_no) - 1
                if r < max_row:
                    cells[(r, col_index(letters.decode()))] = (text.decode(), "General")
        unsaved = {pos for pos, saved in formulas.items() if not saved}
        return SheetGrid(cells, unsaved, _calamine_merges(self._values, sheet, ws),
                         set(formulas))

    def cells(self, sheet, max_row, formats: bool = True):
        if formats or (sheet, max_row) in self._grids:
            return self.grid(sheet, max_row).cells
        _no_dtd(self._head(self._parts[sheet]))   # values only: no scan of the sheet XML
        return _values(self._values.get_sheet_by_name(sheet).to_python(skip_empty_area=False,
                                                                      nrows=max_row))[0]

    def formulas(self, sheet, max_row):
        return self.grid(sheet, max_row).formulas

    def unsaved(self, sheet, max_row):
        return self.grid(sheet, max_row).unsaved

    def rows(self, sheet, max_row):
        _no_dtd(self._head(self._parts[sheet]))
        data = self._values.get_sheet_by_name(sheet).to_python(skip_empty_area=False,
                                                               nrows=max_row)
        # the identity sheet: text, so mostly nothing to convert
        return [tuple(row) if "" not in row and float not in map(type, row)
                else tuple(map(_plain, row)) for row in data]

    def merges(self, sheet):
        for (name, _), found in self._grids.items():
            if name == sheet:
                return found.merges
        return _calamine_merges(self._values, sheet)

    def local_name(self, sheet, name):
        ref = self._names.get((sheet, name))
        if not ref or "!" not in ref:
            return None
        where, _, cells = ref.rpartition("!")
        if where.strip("'").replace("''", "'") != sheet:
            return None
        return _range(cells)

    def close(self):
        self._zip.close()
        try:
            self._values.close()
        except Exception:  # noqa: BLE001
            pass


def _values(data: list[list]) -> tuple[dict[tuple[int, int], tuple[object, str]], list]:
    """calamine's rows as (row, col) -> (value, "General") of the non-empty cells (whole
    floats as int, as openpyxl gives them), and the positions of the numbers."""
    cells = {(r, c): (value, "General") for r, row in enumerate(data) if row.count("") != len(row)
             for c, value in enumerate(row) if value != "" and value is not None}
    numbers = [pos for pos, (value, _) in cells.items()   # few: most cells are text
               if value.__class__ is float or value.__class__ is int]
    for pos in numbers:
        value = cells[pos][0]
        if value.__class__ is float and value.is_integer() and abs(value) < 1e15:
            cells[pos] = (int(value), "General")
    return cells, numbers


def _plain(value: object) -> object:
    """A calamine value as openpyxl would give it: no "" for empty, whole floats as int."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


@lru_cache(maxsize=4096)
def _range(ref: str) -> CellRange | None:
    try:
        return CellRange.parse(ref.replace("$", ""))
    except ValueError:
        return None


def _parse(data: bytes):
    """A small part of the package as an element tree, refused when it declares a DTD."""
    _no_dtd(data)
    return ET.fromstring(data)


def _styles(xml: bytes, positions: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The style index of each cell at `positions` (row-major, as the sheet stores its cells),
    found by one forward walk through the sheet XML."""
    out = {}
    at = 0
    for r, c in positions:
        needle = b' r="' + cell_name(r, c).encode() + b'"'
        i = xml.find(needle, at)
        if i < 0:
            i = xml.find(needle)          # stored out of order: look from the start
        while i >= 0:
            start = xml.rfind(b"<", 0, i)
            if _CELL_TAG.match(xml, start):
                break
            i = xml.find(needle, i + 1)   # the text inside some other element
        if i < 0:
            continue
        at = i
        style = _STYLE.match(xml, start)
        if style is not None:
            out[(r, c)] = int(style.group(1))
    return out


def _formula_starts(xml: bytes):
    """Where the <f> elements of <sheetData> start."""
    if xml.startswith(b"<sheetData"):       # no namespace prefix: plain finds suffice
        i = xml.find(b"<f")
        while i >= 0:
            if xml[i + 2:i + 3] in (b" ", b">", b"/", b"\t", b"\r", b"\n"):
                yield i
            i = xml.find(b"<f", i + 2)
    else:
        for m in _FORMULA.finditer(xml):
            yield m.start()


def _formulas(xml: bytes, max_row: int) -> dict[tuple[int, int], bool]:
    """Formula cells -> whether a calculated value was saved with them (maybe "")."""
    out = {}
    plain = xml.startswith(b"<sheetData")   # no namespace prefix: plain finds suffice
    for at in _formula_starts(xml):
        if plain:   # (a search for ":c " would run back to the start of the sheet)
            start = xml.rfind(b"<c ", 0, at)
        else:
            start = max(xml.rfind(b"<c ", 0, at), xml.rfind(b":c ", 0, at))
        ref = _REF.search(xml, start, at)
        if ref is None or int(ref.group(2)) > max_row:
            continue
        if plain:
            end = xml.find(b"</c>", at)
            end = len(xml) if end < 0 else end
        else:
            found = _CELL_END.search(xml, at)
            end = found.start() if found else len(xml)
        saved = _VALUE.search(xml, at, end) or _STR_RESULT.search(xml, start, at)
        out[(int(ref.group(2)) - 1, col_index(ref.group(1).decode()))] = bool(saved)
    return out
