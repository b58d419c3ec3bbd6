"""Read a returned workbook into a typed model of what the township entered.

The reader finds everything from the workbook itself: the identity sheet says which template
(and so which spec) and which sheets are project sheets; the sheet-scoped xt_* names say where
each field is (falling back to the spec when a name is gone). It records facts, never raises on
bad data, and leaves judging to the rules. Only a file that cannot be opened at all raises
Unreadable.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from .cells import CellRange, cell_name
from .meta import Meta
from .spec import INDICATOR_KEYS, PROJECT_FIELD_KEYS, Framework, TemplateSpec
from .templates import find_template
from .values import clean_text, to_decimal

META_SHEET = "xt_meta"  # fixed for every template version: it is how a workbook is recognised
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class Unreadable(Exception):
    """The file cannot be opened as a workbook; the message (Chinese) says what to do."""


@dataclass
class Cell:
    sheet: str
    ref: str              # A1 of the cell (top-left of a merged field)
    value: object         # the cached value; None when empty
    number_format: str | None = None
    formula_without_value: bool = False

    @property
    def blank(self) -> bool:
        return clean_text(self.value) == ""


@dataclass
class IndicatorRow:
    number: int                    # 1-based position in the indicator table
    cells: dict[str, Cell]         # INDICATOR_KEYS -> cell

    def __getitem__(self, key: str) -> Cell:
        return self.cells[key]


@dataclass
class ProjectSheet:
    name: str
    prefilled: bool                # the county pre-filled this project
    fields: dict[str, Cell]
    plan: list[Cell]
    body: CellRange                # the indicator table body
    indicators: list[IndicatorRow]  # rows with anything in them

    @property
    def used(self) -> bool:
        return self.prefilled or any(not c.blank for c in [*self.fields.values(), *self.plan]) \
            or bool(self.indicators)


@dataclass
class Changed:
    sheet: str
    ref: str
    was: str
    now: str


@dataclass
class ReadWorkbook:
    path: Path
    meta: Meta | None = None
    meta_problem: str | None = None        # "missing" | "damaged" | "unknown_template"
    spec: TemplateSpec | None = None
    framework: Framework | None = None
    sheet_names: list[str] = field(default_factory=list)
    cover: dict[str, Cell] = field(default_factory=dict)
    projects: list[ProjectSheet] = field(default_factory=list)
    missing_sheets: list[str] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    saved_at: str | None = None            # when the file says it was last saved (ISO)

    @property
    def unit_code(self) -> str | None:
        cell = self.cover.get("unit_code")
        return clean_text(cell.value) or None if cell else (self.meta.unit_code if self.meta else None)

    @property
    def unit_name(self) -> str | None:
        cell = self.cover.get("unit_name")
        return clean_text(cell.value) or None if cell else (self.meta.unit_name if self.meta else None)


def _open(path: Path, data_only: bool):
    if path.is_dir():
        raise Unreadable("这是一个文件夹，不是表格文件。请报送 .xlsx 文件本身。")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise Unreadable("文件是空的（0 字节），可能没有保存成功或附件损坏。请重新保存后报送。")
    if head.startswith(OLE_MAGIC):
        raise Unreadable("文件已加密（设置了打开密码），或是旧版 .xls 格式。请在 Excel/WPS 中打开，"
                         "取消打开密码后另存为 .xlsx 再报送。")
    if not head.startswith(ZIP_MAGIC):
        raise Unreadable("不是 Excel 工作簿（.xlsx）。请确认附件是下发的填报表，用 Excel/WPS "
                         "另存为 .xlsx 后再报送。")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
            IndexError, AttributeError, EOFError, OSError) as exc:
        raise Unreadable(f"文件已损坏，无法打开（{type(exc).__name__}）。请重新保存为 .xlsx "
                         "后再报送。") from exc


class _Grid:
    """The cells of one sheet: (row, col) 0-based -> (value, number format)."""

    def __init__(self, ws, formulas: set[tuple[int, int]]):
        self.cells: dict[tuple[int, int], tuple[object, str | None]] = {}
        ws.reset_dimensions()  # some writers store a wrong sheet size; read every row
        for row in ws.iter_rows():
            for c in row:
                if getattr(c, "row", None) is None:  # an empty filler cell
                    continue
                if c.value is not None or (c.row - 1, c.column - 1) in formulas:
                    self.cells[(c.row - 1, c.column - 1)] = (c.value, c.number_format)
        self.formulas = formulas
        self.name = ws.title

    def cell(self, row: int, col: int) -> Cell:
        value, fmt = self.cells.get((row, col), (None, None))
        return Cell(self.name, cell_name(row, col), value, fmt,
                    (row, col) in self.formulas and value is None)


def _formula_cells(path: Path, sheets: list[str]) -> dict[str, set[tuple[int, int]]]:
    wb = _open(path, data_only=False)
    try:
        out = {}
        for name in sheets:
            if name in wb.sheetnames:
                ws = wb[name]
                ws.reset_dimensions()
                out[name] = {(c.row - 1, c.column - 1) for row in ws.iter_rows()
                             for c in row if getattr(c, "data_type", None) == "f"}
        return out
    finally:
        wb.close()


def _name_range(ws, key: str) -> CellRange | None:
    """Where a sheet-scoped xt_* name points, if it still points into this sheet."""
    try:
        defn = ws.defined_names.get(f"xt_{key}")
        if defn is None:
            return None
        for title, ref in defn.destinations:
            if title == ws.title:
                return CellRange.parse(ref.replace("$", ""))
    except (ValueError, AttributeError, TypeError):
        return None
    return None


def _same(expected: str, value: object) -> bool:
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = to_decimal(expected)
        return number is not None and number == to_decimal(value)
    return ("" if value is None else str(value)) == expected


def _read_project(wb, grid: _Grid, spec: TemplateSpec, prefilled: bool) -> ProjectSheet:
    ws = wb[grid.name]
    fields = {}
    for key in PROJECT_FIELD_KEYS:
        rng = _name_range(ws, key) or spec.project.fields[key].range
        fields[key] = grid.cell(rng.row1, rng.col1)
    plan_rng = _name_range(ws, "plan")
    plan_cells = spec.plan_cells
    if plan_rng is not None and plan_rng.col2 - plan_rng.col1 + 1 == len(spec.checkpoints):
        plan_cells = [CellRange.at(plan_rng.row1, plan_rng.col1 + i)
                      for i in range(len(spec.checkpoints))]
    plan = [grid.cell(c.row1, c.col1) for c in plan_cells]
    body = _name_range(ws, "indicators")
    if body is None or body.col2 - body.col1 + 1 != len(INDICATOR_KEYS):
        body = spec.indicator_body
    rows = []
    for i, r in enumerate(range(body.row1, body.row2 + 1), start=1):
        cells = {k: grid.cell(r, body.col1 + j) for j, k in enumerate(INDICATOR_KEYS)}
        if any(not c.blank or c.formula_without_value for c in cells.values()):
            rows.append(IndicatorRow(i, cells))
    return ProjectSheet(grid.name, prefilled, fields, plan, body, rows)


def read_workbook(path: str | Path) -> ReadWorkbook:
    """The model of one returned workbook. Raises Unreadable only for files that won't open."""
    path = Path(path)
    wb = _open(path, data_only=True)
    try:
        return _read(path, wb)
    except Unreadable:
        raise
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, zipfile.BadZipFile,
            EOFError) as exc:
        raise Unreadable(f"文件内容已损坏，无法读取（{type(exc).__name__}）。请重新保存为 .xlsx "
                         "后再报送。") from exc
    finally:
        wb.close()


def _read(path: Path, wb) -> ReadWorkbook:
    out = ReadWorkbook(path=path, sheet_names=list(wb.sheetnames))
    modified = getattr(wb.properties, "modified", None) or getattr(wb.properties, "created", None)
    out.saved_at = modified.isoformat() if hasattr(modified, "isoformat") else None
    spec_meta_sheet = META_SHEET
    if spec_meta_sheet not in wb.sheetnames:
        out.meta_problem = "missing"
        return out
    try:
        out.meta = Meta.from_rows(wb[spec_meta_sheet].iter_rows(values_only=True))
    except ValueError:
        out.meta_problem = "damaged"
        return out
    found = find_template(out.meta.template_id, out.meta.template_version, out.meta.framework)
    if found is None:
        out.meta_problem = "unknown_template"
        return out
    out.spec, out.framework = spec, _ = found
    present = [s for s in out.meta.project_sheets if s in wb.sheetnames]
    out.missing_sheets = [s for s in out.meta.project_sheets if s not in wb.sheetnames]
    cover_name = spec.sheets.cover
    wanted = [cover_name, *present] if cover_name in wb.sheetnames else present
    if cover_name not in wb.sheetnames:
        out.missing_sheets.insert(0, cover_name)
    formulas = _formula_cells(path, wanted)
    grids = {name: _Grid(wb[name], formulas.get(name, set())) for name in wanted}
    if cover_name in grids:
        out.cover = {key: grids[cover_name].cell(f.range.row1, f.range.col1)
                     for key, f in spec.cover.fields.items()}
    prefilled_sheets = {sheet for sheet, ref, _ in out.meta.cells
                        if ref == spec.project.fields["project_code"].range.top_left}
    out.projects = [_read_project(wb, grids[name], spec, name in prefilled_sheets)
                    for name in present]
    for sheet, ref, text in out.meta.cells:
        if sheet not in grids:
            continue
        rng = CellRange.parse(ref)
        row, col = rng.row1, rng.col1
        value = grids[sheet].cells.get((row, col), (None, None))[0]
        if not _same(text, value):
            out.changed.append(Changed(sheet, ref, text, "" if value is None else str(value)))
    return out
