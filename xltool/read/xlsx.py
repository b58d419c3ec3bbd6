""".xlsx read the fast way: python-calamine for values, scans of the small XML parts for the
rest (sheet states, defined names, number formats, formula cells)."""
from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree as ET

from ..template.cells import CellRange, col_index
from .books import Book, _bytes_of, _calamine_merges, _no_dtd

_STYLED = re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]{1,3})(\d+)"\s+s="(\d+)"')
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
    number formats from the small workbook and style parts (parsed with defusedxml); formula
    cells and style indices from a scan of the sheet XML that never expands anything."""

    def __init__(self, path: Path):
        from python_calamine import CalamineWorkbook
        self._zip = zipfile.ZipFile(path)
        try:
            self._refuse_dtds()
            book = ET.fromstring(self._zip.read("xl/workbook.xml"))
            rels = ET.fromstring(self._zip.read("xl/_rels/workbook.xml.rels"))
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
            self._values = CalamineWorkbook.from_filelike(_bytes_of(path))
        except BaseException:
            self._zip.close()
            raise
        self._scans: dict[str, dict[tuple[int, int], tuple[int, int]]] = {}
        self._errors: dict[str, dict[tuple[int, int], str]] = {}

    def _refuse_dtds(self, names=("xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                  "xl/styles.xml", "xl/sharedStrings.xml", "docProps/core.xml",
                                  "[Content_Types].xml")) -> None:
        """A DTD (how entity attacks start) never appears in a genuine workbook part; the
        parts read at opening are checked here, each sheet before it is read."""
        present = set(self._zip.namelist())
        for name in names:
            if name in present:
                with self._zip.open(name) as fh:
                    _no_dtd(fh.read(1024))

    def _sheet_xml(self, sheet: str) -> bytes:
        """The <sheetData> of a sheet: only there is a <c><f> a cell formula (Excel keeps
        validations and conditional formats with <xm:f> formulas in <extLst> after it)."""
        with self._zip.open(self._parts[sheet]) as fh:   # refuse before expanding it all
            _no_dtd(fh.read(1024))
        data = self._zip.read(self._parts[sheet])
        start = _SHEET_DATA.search(data)
        if start is None:
            return b""
        end = _SHEET_DATA_END.search(data, start.end())
        return data[start.start():end.end() if end else len(data)]

    def _number_formats(self) -> list[str]:
        """Number format of each cell style (only the formats matter, so a scan suffices)."""
        try:
            styles = self._zip.read("xl/styles.xml")
        except KeyError:
            return []
        custom = {int(i): html.unescape(code.decode("utf-8", "replace"))
                  for i, code in _NUMFMT.findall(styles)}
        xfs = _CELLXFS.search(styles)
        ids = [int(i) if i else 0 for i in _XF_NUMFMT.findall(xfs.group(1))] if xfs else []
        return [custom.get(i, _BUILTIN_FORMATS.get(i, "General")) for i in ids]

    def _saved_at(self) -> str | None:
        try:
            core = ET.fromstring(self._zip.read("docProps/core.xml"))
        except KeyError:
            return None
        for tag in ("{http://purl.org/dc/terms/}modified", "{http://purl.org/dc/terms/}created"):
            node = core.find(tag)
            if node is not None and node.text:
                return node.text.strip().replace("Z", "+00:00")
        return None

    def _scan(self, sheet: str, max_row: int) -> dict[tuple[int, int], tuple[int, int]]:
        """(row, col) -> (style index, formula state) of styled and formula cells, where the
        state is 0 (no formula), 1 (formula with a saved value, maybe "") or 2 (none saved).
        Error values (t="e") are kept in self._errors."""
        if sheet not in self._scans:
            data = self._sheet_xml(sheet)
            out: dict[tuple[int, int], tuple[int, int]] = {}
            for letters, row, style in _STYLED.findall(data):
                r = int(row) - 1
                if r < max_row:
                    out[(r, col_index(letters.decode()))] = (int(style), 0)
            for m in _FORMULA.finditer(data):
                start = max(data.rfind(b"<c ", 0, m.start()), data.rfind(b":c ", 0, m.start()))
                ref = _REF.search(data, start, m.start())
                if ref is None or int(ref.group(2)) > max_row:
                    continue
                end = _CELL_END.search(data, m.start())
                saved = _VALUE.search(data, m.start(), end.start() if end else len(data)) \
                    or _STR_RESULT.search(data, start, m.start())
                pos = (int(ref.group(2)) - 1, col_index(ref.group(1).decode()))
                out[pos] = (out.get(pos, (0, 0))[0], 1 if saved else 2)
            errors = {}
            if b't="e"' in data:
                for letters, row, text in _ERROR.findall(data):
                    errors[(int(row) - 1, col_index(letters.decode()))] = text.decode()
            self._errors[sheet] = errors
            self._scans[sheet] = out
        return self._scans[sheet]

    def cells(self, sheet, max_row, formats: bool = True):
        if formats:
            scan = self._scan(sheet, max_row)
        else:
            with self._zip.open(self._parts[sheet]) as fh:
                _no_dtd(fh.read(1024))
            scan = {}
        data = self._values.get_sheet_by_name(sheet).to_python(skip_empty_area=False,
                                                               nrows=max_row)
        out = {}
        formats = self._formats
        for r, row in enumerate(data):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
                    value = int(value)
                style = scan.get((r, c), (0, 0))[0]
                out[(r, c)] = (value, formats[style] if style < len(formats) else "General")
        for pos, text in self._errors.get(sheet, {}).items():  # #DIV/0! and the like
            if pos[0] < max_row:
                out[pos] = (text, "General")
        return out

    def formulas(self, sheet, max_row):
        return {pos for pos, (_, state) in self._scan(sheet, max_row).items() if state}

    def unsaved(self, sheet, max_row):
        return {pos for pos, (_, state) in self._scan(sheet, max_row).items() if state == 2}

    def rows(self, sheet, max_row):
        with self._zip.open(self._parts[sheet]) as fh:
            _no_dtd(fh.read(1024))
        data = self._values.get_sheet_by_name(sheet).to_python(skip_empty_area=False,
                                                               nrows=max_row)
        return [tuple(_plain(v) for v in row) for row in data]

    def merges(self, sheet):
        return _calamine_merges(self._values, sheet)

    def local_name(self, sheet, name):
        ref = self._names.get((sheet, name))
        if not ref or "!" not in ref:
            return None
        where, _, cells = ref.rpartition("!")
        if where.strip("'").replace("''", "'") != sheet:
            return None
        try:
            return CellRange.parse(cells.replace("$", ""))
        except ValueError:
            return None

    def close(self):
        self._zip.close()
        try:
            self._values.close()
        except Exception:  # noqa: BLE001
            pass


def _plain(value: object) -> object:
    """A calamine value as openpyxl would give it: no "" for empty, whole floats as int."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value
