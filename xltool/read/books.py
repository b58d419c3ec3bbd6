"""Opening a returned file safely, whatever it turns out to be.

`open_book` sniffs the bytes (never trusting the file name), refuses what is not a workbook,
encrypted, or built to exhaust memory (zip bombs; XML entity attacks are refused by defusedxml,
which openpyxl uses when it is installed), and returns a Book: the same small interface over
.xlsx (read/xlsx.py, openpyxl as the fallback) and python-calamine for .xls and .ods (our
workbook re-saved by LibreOffice or WPS, formats from read/native.py). Libraries are always
given the bytes, never the name, so a renamed file is read as what it is. Every refusal is an
Unreadable with a Chinese message saying what to do.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import NamedTuple

from ..template.cells import CellRange
from ..values import UNKNOWN_FORMAT
from .native import GENERAL, OdsFormats, XlsFormats

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")
MAX_FILE_BYTES = 60 * 1024 * 1024          # a filled form is well under 1 MB
MAX_MEMBER_BYTES = 300 * 1024 * 1024       # one part of the zip, uncompressed
MAX_TOTAL_BYTES = 600 * 1024 * 1024
MAX_RATIO = 200                            # uncompressed / compressed, for parts over 1 MB
MAX_MEMBERS = 20000
SAVE_AS = "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后重新报送。"


class Unreadable(Exception):
    """The file cannot be read as a workbook; the message (Chinese) says what to do."""


class SheetGrid(NamedTuple):
    cells: dict[tuple[int, int], tuple[object, str | None]]   # see Book.cells
    unsaved: set[tuple[int, int]]                             # see Book.unsaved
    merges: list[CellRange]
    formulas: set[tuple[int, int]]                            # see Book.formulas


class Book:
    """What the reader needs from a workbook, independent of the library reading it."""
    kind = "xlsx"
    sheet_names: list[str]
    states: dict[str, str]        # sheet -> "visible" | "hidden" | "veryHidden"
    saved_at: str | None = None

    def cells(self, sheet: str, max_row: int,
              formats: bool = True) -> dict[tuple[int, int], tuple[object, str | None]]:
        """(row, col) 0-based -> (cached value, number format) of the non-empty cells."""
        raise NotImplementedError

    def formulas(self, sheet: str, max_row: int) -> set[tuple[int, int]]:
        """Cells holding a formula (whatever their cached value)."""
        return set()

    def unsaved(self, sheet: str, max_row: int) -> set[tuple[int, int]]:
        """Formula cells saved without a calculated value."""
        return set()

    def rows(self, sheet: str, max_row: int) -> list[tuple]:
        """Values row by row (for the identity sheet)."""
        grid = self.cells(sheet, max_row, formats=False)
        if not grid:
            return []
        width = max(c for _, c in grid) + 1
        height = max(r for r, _ in grid) + 1
        return [tuple(grid.get((r, c), (None, None))[0] for c in range(width))
                for r in range(height)]

    def local_name(self, sheet: str, name: str) -> CellRange | None:
        """Where a sheet-scoped defined name points, if it points into that sheet."""
        return None

    def merges(self, sheet: str) -> list[CellRange]:
        """The merged ranges of a sheet (0-based rows/columns in CellRange)."""
        return []

    def grid(self, sheet: str, max_row: int) -> "SheetGrid":
        """Everything the reader takes from one sheet; a reader that can get it in one pass
        over the sheet overrides this."""
        return SheetGrid(self.cells(sheet, max_row), self.unsaved(sheet, max_row),
                         self.merges(sheet), self.formulas(sheet, max_row))

    def close(self) -> None:
        pass


class OpenpyxlBook(Book):
    def __init__(self, path: Path):
        self.path = path
        import openpyxl  # only for the unusual files calamine cannot read

        # a file object: openpyxl would otherwise refuse a name not ending in .xlsx
        self._values = openpyxl.load_workbook(_bytes_of(path), read_only=True, data_only=True)
        self._formulas = None
        self.sheet_names = list(self._values.sheetnames)
        self.states = {ws.title: ws.sheet_state for ws in self._values.worksheets}
        props = self._values.properties
        moment = getattr(props, "modified", None) or getattr(props, "created", None)
        self.saved_at = moment.isoformat() if hasattr(moment, "isoformat") else None

    def cells(self, sheet, max_row, formats=True):
        ws = self._values[sheet]
        ws.reset_dimensions()  # some writers store a wrong sheet size; read every row
        out = {}
        for row in ws.iter_rows(max_row=max_row):
            for c in row:
                if getattr(c, "row", None) is not None and c.value is not None:
                    out[(c.row - 1, c.column - 1)] = (c.value, c.number_format)
        return out

    def formulas(self, sheet, max_row):
        if self._formulas is None:
            import openpyxl

            self._formulas = openpyxl.load_workbook(_bytes_of(self.path), read_only=True,
                                                    data_only=False)
        ws = self._formulas[sheet]
        ws.reset_dimensions()
        return {(c.row - 1, c.column - 1) for row in ws.iter_rows(max_row=max_row) for c in row
                if getattr(c, "data_type", None) == "f"}

    def unsaved(self, sheet, max_row):
        values = self.cells(sheet, max_row, formats=False)
        return {pos for pos in self.formulas(sheet, max_row) if pos not in values}

    def local_name(self, sheet, name):
        try:
            defn = self._values[sheet].defined_names.get(name)
            if defn is None:
                return None
            for title, ref in defn.destinations:
                if title == sheet:
                    return CellRange.parse(ref.replace("$", ""))
        except (ValueError, AttributeError, TypeError, KeyError):
            return None
        return None

    def close(self):
        self._values.close()
        if self._formulas is not None:
            self._formulas.close()


def _calamine_merges(wb, sheet: str, ws=None) -> list[CellRange]:
    """The merged ranges of a calamine sheet (`ws`, when the caller already has it)."""
    try:
        found = (ws or wb.get_sheet_by_name(sheet)).merged_cell_ranges or []
        return [CellRange(r1, c1, r2, c2) for (r1, c1), (r2, c2) in found]
    except Exception:  # noqa: BLE001 - merges only refine reading; never fail on them
        return []


def _bytes_of(path: Path) -> io.BytesIO:
    """The file in memory (size already bounded by open_book), so that the libraries decide
    the format from the bytes, never from the file name."""
    return io.BytesIO(path.read_bytes())


def _no_dtd(head: bytes) -> None:
    if b"<!DOCTYPE" in head.upper():
        raise Unreadable("文件内容异常（含有不安全的 XML 声明），为安全起见未打开。"
                         "请用下发的表格重新填写后报送。")


class CalamineBook(Book):
    """.xls / .ods (and WPS .et, whatever the name says): values from python-calamine, number
    formats and the saved time from the file's own records (read/native.py). Where those
    cannot be read, cells carry UNKNOWN_FORMAT and the checks fall back to heuristics."""

    def __init__(self, path: Path, kind: str):
        from python_calamine import CalamineWorkbook
        self.kind = kind
        data = path.read_bytes()
        self._wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        meta = self._wb.sheets_metadata
        self.sheet_names = [m.name for m in meta]
        self.states = {m.name: {"Visible": "visible", "Hidden": "hidden",
                                "VeryHidden": "veryHidden"}.get(str(m.visible).split(".")[-1],
                                                                "visible") for m in meta}
        if kind == "xls":
            found = XlsFormats(data)
        else:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                found = OdsFormats(zf)
        self._formats, self.saved_at = found.sheets, found.saved_at
        self._merges = getattr(found, "merges", {})

    def cells(self, sheet, max_row, formats=True):
        data = self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=max_row)
        known = self._formats.get(sheet)
        default = GENERAL if known is not None else UNKNOWN_FORMAT
        known = known or {}
        out = {}
        for r, row in enumerate(data):
            for c, value in enumerate(row):
                if value is not None and value != "":
                    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
                        value = int(value)
                    out[(r, c)] = (value, known.get((r, c), default))
        return out

    def merges(self, sheet):
        if self.kind == "ods":
            return self._merges.get(sheet, [])
        return _calamine_merges(self._wb, sheet)

    def close(self):
        try:
            self._wb.close()
        except Exception:  # noqa: BLE001 - closing must never mask the real result
            pass


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def _guard_zip(source) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise Unreadable("文件已损坏（压缩结构不完整，可能是附件没有下载完整）。请重新保存后报送。") from exc
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    bomb = len(infos) > MAX_MEMBERS or total > MAX_TOTAL_BYTES or any(
        i.file_size > MAX_MEMBER_BYTES
        or (i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1))
        for i in infos)
    if bomb:
        zf.close()
        raise Unreadable(f"文件内容异常（解压后约 {_mb(total)}，远超正常填报表），为安全起见未打开。"
                         "请用下发的表格重新填写后报送。")
    return zf


def open_book(path: Path) -> Book:
    """Open any returned file as a Book, or raise Unreadable saying what to do."""
    if path.is_dir():
        raise Unreadable("这是一个文件夹，不是表格文件。请报送 .xlsx 文件本身。")
    size = path.stat().st_size
    if size == 0:
        raise Unreadable("文件是空的（0 字节），可能没有保存成功或附件损坏。请重新保存后报送。")
    if size > MAX_FILE_BYTES:
        raise Unreadable(f"文件过大（{_mb(size)}），正常的填报表不到 1 MB。请删除插入的图片或多余内容，"
                         "或用下发的表格重新填写后报送。")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC):
        return _open_ole(path)
    if not head.startswith(ZIP_MAGIC):
        kind = "文本或 CSV 文件" if _looks_like_text(path) else "无法识别的文件"
        raise Unreadable(f"这不是 Excel 工作簿，而是{kind}。{SAVE_AS}")
    data = path.read_bytes()     # read once: the zip, calamine and the sheet scans share it
    zf = _guard_zip(io.BytesIO(data))
    try:
        names = set(zf.namelist())
        mimetype = zf.read("mimetype")[:60] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError) as exc:
        zf.close()
        raise Unreadable("文件已损坏，无法读取。请重新保存后报送。") from exc
    problem = None
    if b"opendocument.spreadsheet" in mimetype:
        problem = "ods"
    elif "word/document.xml" in names:
        problem = "这是 Word 文档，不是 Excel 工作簿。请报送下发的 .xlsx 填报表。"
    elif "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        problem = f"这不是 Excel 工作簿。{SAVE_AS}"
    elif "xl/workbook.bin" in names:
        problem = f"文件是 Excel 二进制格式（.xlsb），无法审核。{SAVE_AS}"
    if problem is not None:
        zf.close()
        if problem == "ods":
            return _calamine(path, "ods")
        raise Unreadable(problem)
    from .xlsx import FastXlsxBook
    try:
        return FastXlsxBook(path, zf, data)
    except Unreadable:
        raise
    except Exception:  # noqa: BLE001 - unusual files: let openpyxl try before giving up
        pass
    try:
        return OpenpyxlBook(path)
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure on hostile input is "damaged"
        raise Unreadable(f"文件内容已损坏，无法读取（{type(exc).__name__}）。{SAVE_AS}") from exc


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as fh:
        chunk = fh.read(4096)
    for encoding in ("utf-8", "gb18030", "utf-16"):
        try:
            chunk.decode(encoding)
            return b"\x00" not in chunk or encoding == "utf-16"
        except UnicodeDecodeError:
            continue
    return False


def _open_ole(path: Path) -> Book:
    with open(path, "rb") as fh:
        data = fh.read()
    if ENCRYPTION_MARK in data:
        raise Unreadable("文件设置了打开密码（已加密），无法审核。请在 Excel/WPS 中打开，"
                         "在“文件 → 信息 → 保护工作簿”中删除密码后保存，再重新报送（不要加密）。")
    return _calamine(path, "xls")


def _calamine(path: Path, kind: str) -> Book:
    try:
        return CalamineBook(path, kind)
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise Unreadable("文件设置了打开密码（已加密），无法审核。请删除密码后重新报送。") from exc
        what = "旧版 .xls 或 WPS .et" if kind == "xls" else "OpenDocument（.ods）"
        raise Unreadable(f"文件是{what}格式，且无法读取。{SAVE_AS}") from exc
