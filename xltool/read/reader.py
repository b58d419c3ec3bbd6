"""Read a returned workbook into a typed model of what the township entered.

The reader finds everything from the workbook itself: the identity sheet says which template
(and so which spec) and which sheets are project sheets; the sheet-scoped xt_* names say where
each field is (falling back to the spec when a name is gone). It records facts, never raises on
bad data, and leaves judging to the rules. Only a file that cannot be opened at all raises
Unreadable.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .books import Book, Unreadable, open_book
from .layout import Layout, Moved, same
from .model import _EMPTY, _NONE, Cell, IndicatorRow, filled_values
from ..template.cells import CellRange, cell_name, parse_cell
from ..template.meta import Meta
from ..template.spec import INDICATOR_KEYS, PROJECT_FIELD_KEYS, Framework, TemplateSpec
from ..template.settings import apply_lists
from ..template.templates import find_framework, find_template
from ..values import clean_text, is_na_mark

META_SHEET = "xt_meta"  # fixed for every template version: it is how a workbook is recognised
MAX_META_ROWS = 20000   # far more than any template's snapshot; bounds hostile input
MAX_INDICATOR_ROWS = 1000
MARGIN_ROWS = 30        # rows read below the form, to notice indicators written past its end
_INDEX = {k: i for i, k in enumerate(INDICATOR_KEYS)}


@dataclass
class ProjectSheet:
    name: str
    prefilled: bool                # the county pre-filled this project
    fields: dict[str, Cell]
    plan: list[Cell]
    body: CellRange                # the indicator table body
    indicators: list[IndicatorRow]  # rows with anything in them
    outside: list[Cell] = field(default_factory=list)  # filled cells the form does not use

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
    kind: str = "xlsx"                     # xlsx | xls | ods (the last two read by calamine)
    states: dict[str, str] = field(default_factory=dict)   # sheet -> visibility
    list_values: dict[str, list[str]] | None = None        # the hidden list sheet as found
    dept: "DeptSheet | None" = None        # the 部门整体绩效目标 sheet (read/dept.py)
    dept_framework: Framework | None = None
    moved: list[tuple[str, Moved]] = field(default_factory=list)  # rows/columns inserted
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # derived by the checks

    @property
    def unit_code(self) -> str | None:
        """The unit: the county's record for a pre-filled workbook, the cover for a blank one."""
        if self.meta is not None and self.meta.unit_code:
            return self.meta.unit_code
        cell = self.cover.get("unit_code")
        return clean_text(cell.value) or None if cell else None

    @property
    def untouched(self) -> bool:
        """The county's generated workbook as sent: nothing typed where the township fills in
        (the cover's contact and phone, every field, plan and indicator not pre-filled)."""
        if self.spec is None or self.meta is None or self.changed or self.moved \
                or any(p.indicators or p.outside for p in self.projects) \
                or self.dept is not None and (self.dept.areas or self.dept.indicators
                                              or self.dept.outside):
            return False
        recorded = {(sheet, ref) for sheet, ref, _ in self.meta.cells}
        filled = [c for key, c in self.cover.items() if (c.sheet, c.ref) not in recorded]
        for p in self.projects:
            filled += [c for c in [*p.fields.values(), *p.plan] if (c.sheet, c.ref) not in recorded]
        if self.dept is not None:
            filled += [c for c in self.dept.fields.values() if (c.sheet, c.ref) not in recorded]
        return all(c.blank and not c.formula_without_value for c in filled)

    @property
    def unit_name(self) -> str | None:
        if self.meta is not None and self.meta.unit_name:
            return self.meta.unit_name
        cell = self.cover.get("unit_name")
        return clean_text(cell.value) or None if cell else None


class _Grid:
    """The cells of one sheet that the reader looks at."""

    def __init__(self, book: Book, name: str, max_row: int):
        self.name = name
        self.cells, self.unsaved, self.merges, _ = book.grid(name, max_row)

    def cell(self, row: int, col: int) -> Cell:
        value, fmt = self.cells.get((row, col), _EMPTY)
        return Cell(self.name, cell_name(row, col), value, fmt, (row, col) in self.unsaved)

    def row(self, row: int, cols: range) -> list[Cell]:
        """The cells of one row at `cols` (what cell() gives, made in one go)."""
        get, name, unsaved = self.cells.get, self.name, self.unsaved
        if unsaved:
            return [Cell(name, cell_name(row, c), *get((row, c), _EMPTY), (row, c) in unsaved)
                    for c in cols]
        return [Cell(name, cell_name(row, c), *get((row, c), _EMPTY)) for c in cols]


def named_ranges(book: Book, sheet: str, prefix: str, keys,
                 max_rows: int = MAX_INDICATOR_ROWS) -> dict[str, CellRange]:
    """key -> where the sheet's name `prefix + key` points, for the names present and sane
    (what is missing is placed by the spec, and the layout, instead)."""
    out = {}
    for key in keys:
        rng = book.local_name(sheet, prefix + key)
        if rng is not None and rng.row2 - rng.row1 <= max_rows:
            out[key] = rng
    return out


def _locations(book: Book, sheet: str, spec: TemplateSpec) -> dict[str, CellRange]:
    """Where the fields of a project sheet are: by its xt_* names, else by the spec."""
    return named_ranges(book, sheet, "xt_", (*PROJECT_FIELD_KEYS, "plan", "indicators"))


def _read_project(grid: _Grid, names: dict[str, CellRange], spec: TemplateSpec,
                  prefilled: bool, layout: Layout) -> ProjectSheet:
    fields = {}
    for key in PROJECT_FIELD_KEYS:
        rng = names.get(key) or layout.range(spec.project.fields[key].range)
        fields[key] = grid.cell(rng.row1, rng.col1)
    plan_rng = names.get("plan")
    plan_cells = [layout.range(c) for c in spec.plan_cells]
    if plan_rng is not None and plan_rng.col2 - plan_rng.col1 + 1 == len(spec.checkpoints):
        plan_cells = [CellRange.at(plan_rng.row1, plan_rng.col1 + i)
                      for i in range(len(spec.checkpoints))]
    plan = [grid.cell(c.row1, c.col1) for c in plan_cells]
    body = names.get("indicators")
    if body is None or body.col2 - body.col1 + 1 != len(INDICATOR_KEYS):
        body = layout.range(spec.indicator_body)
    rows = []
    r1, c1 = body.row1, body.col1
    spec_cells = _spec_cells(spec) if not layout.shifted else frozenset()
    known = _form_cells(spec, fields, plan_cells, body, layout)
    positions, body_cells = grid.cells.keys(), _range_cells(body)
    used = {r for r, _ in positions & body_cells}
    outside = sorted(pos for pos in positions - body_cells - known - spec_cells
                     if clean_text(grid.cells[pos][0]) != "")
    formula_rows = {r for r, _ in grid.unsaved & body_cells}
    used |= formula_rows
    covered = _vertical_merges(grid, body)
    cols = range(c1, c1 + len(INDICATOR_KEYS))
    get, unsaved_cells, name = grid.cells.get, grid.unsaved, grid.name
    for r in sorted(used):
        data = [get((r, c), _EMPTY) for c in cols]
        filled = filled_values(data)
        unsaved = _NONE if r not in formula_rows else frozenset(
            k for k, c in zip(INDICATOR_KEYS, cols) if (r, c) in unsaved_cells)
        if not unsaved and all(is_na_mark(v) for v in filled):
            continue   # unused row marked "/", "无", "—" or "-"
        if covered and any((r, c) in covered for c in cols):   # 一级 merged over its rows
            cells = dict(zip(INDICATOR_KEYS, grid.row(r, cols)))
            for k, c in zip(INDICATOR_KEYS, cols):
                top = covered.get((r, c))
                if top is not None and cells[k].blank:
                    cells[k] = grid.cell(*top)
                    if not cells[k].blank:
                        filled.append(cells[k].value)
            rows.append(IndicatorRow(r - r1 + 1, cells, note=len(filled) == 1))
            continue
        rows.append(IndicatorRow.read(r - r1 + 1, name, r, cols, data, _INDEX, unsaved,
                                      len(filled) == 1,
                                      _NONE if len(filled) == len(data) else None))
    outside = [grid.cell(*pos) for pos in outside]
    return ProjectSheet(grid.name, prefilled, fields, plan, body, rows, outside)


def _vertical_merges(grid: _Grid, body: CellRange) -> dict[tuple[int, int], tuple[int, int]]:
    """Cells of the indicator table covered by a vertical merge -> the merge's top-left."""
    out = {}
    for m in grid.merges:
        if m.row2 > m.row1 and m.col1 == m.col2 and body.col1 <= m.col1 <= body.col2 \
                and body.row1 <= m.row1 <= body.row2:
            for r in range(m.row1 + 1, min(m.row2, body.row2) + 1):
                out[(r, m.col1)] = (m.row1, m.col1)
    return out


def _form_cells(spec: TemplateSpec, fields: dict[str, Cell], plan_cells: list[CellRange],
                body: CellRange, layout: Layout) -> set[tuple[int, int]]:
    """The cells the form itself uses on this sheet: what was written there and what is read
    from it (but for the indicator body at its place now, and, where nothing moved, the
    spec's fixed cells: the caller tests those against _spec_cells, which is not copied)."""
    known = {(r + dr, c + dc) for r, c, dr, dc in layout.anchors}
    known.update((r, c) for r, c, _ in layout.lost)
    for rng in plan_cells:     # the body is left to the caller: a range test is cheaper
        known.update(rng.cells())
    if layout.shifted:
        known |= _spec_cells(spec)
        for rng in (*_spec_ranges(spec), *plan_cells, body):
            known.update(layout.range(rng).cells())
    known.update(parse_cell(c.ref) for c in fields.values())
    return known


def _spec_ranges(spec: TemplateSpec) -> list[CellRange]:
    p = spec.project
    return [p.title_range, p.unit_line, *(lb.range for lb in p.labels),
            *(f.label.range for f in p.fields.values()), *(f.range for f in p.fields.values()),
            *spec.plan_header_cells, spec.indicator_header]


@lru_cache(maxsize=256)
def _range_cells(rng: CellRange) -> frozenset[tuple[int, int]]:
    return frozenset(rng.cells())


_SPEC_CELLS: dict[int, tuple[TemplateSpec, frozenset]] = {}


def _spec_cells(spec: TemplateSpec) -> frozenset[tuple[int, int]]:
    """The cells of a project sheet's fixed parts, per spec (computed once)."""
    found = _SPEC_CELLS.get(id(spec))
    if found is None or found[0] is not spec:
        cells = frozenset(cell for rng in _spec_ranges(spec) for cell in rng.cells())
        found = _SPEC_CELLS[id(spec)] = (spec, cells)
    return found[1]


def read_workbook(path: str | Path) -> ReadWorkbook:
    """The model of one returned workbook. Raises Unreadable only for files that won't open."""
    path = Path(path)
    book = open_book(path)
    try:
        return _read(path, book)
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser failure deep in a hostile file
        if _our_bug(exc):
            raise   # the checker's safety net reports it as its own error, with the traceback
        raise Unreadable(f"文件内容已损坏，无法读取（{type(exc).__name__}）。请重新保存为 .xlsx "
                         "后再报送。") from exc
    finally:
        book.close()


_BUGS = (AttributeError, TypeError, KeyError, IndexError, NameError, AssertionError,
         ZeroDivisionError, RecursionError)
_PACKAGE = str(Path(__file__).resolve().parent.parent)


def _our_bug(exc: Exception) -> bool:
    """An error of the kind a programming mistake raises, raised in xltool's own code (not in
    a library parsing the file): not the file's fault, so not "damaged"."""
    if not isinstance(exc, _BUGS):
        return False
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_filename.startswith(_PACKAGE)


def _last_row(spec: TemplateSpec, names: dict[str, CellRange], snapshot_rows: list[int]) -> int:
    rows = [spec.indicator_body.row2, *(r.row2 for r in names.values()), *snapshot_rows]
    return max(rows) + 1 + MARGIN_ROWS


def _read(path: Path, book: Book) -> ReadWorkbook:
    out = ReadWorkbook(path=path, sheet_names=list(book.sheet_names), kind=book.kind,
                       states=dict(book.states), saved_at=book.saved_at)
    if META_SHEET not in book.sheet_names:
        out.meta_problem = "missing"
        return out
    try:
        out.meta = Meta.from_rows(book.rows(META_SHEET, MAX_META_ROWS))
    except ValueError:
        out.meta_problem = "damaged"
        return out
    found = find_template(out.meta.template_id, out.meta.template_version, out.meta.framework)
    if found is None:
        out.meta_problem = "unknown_template"
        return out
    spec = apply_lists(found[0], out.meta.settings)
    out.spec, out.framework = spec, found[1]
    dept_sheet = out.meta.dept_sheet if spec.dept is not None else None
    if dept_sheet is not None:
        out.dept_framework = find_framework(out.meta.dept_framework or "")
        if out.dept_framework is None:
            out.meta_problem = "unknown_template"
            return out
    present = [s for s in out.meta.project_sheets if s in book.sheet_names]
    out.missing_sheets = [s for s in out.meta.project_sheets if s not in book.sheet_names]
    cover_name = spec.sheets.cover
    if cover_name not in book.sheet_names:
        out.missing_sheets.insert(0, cover_name)
    recorded: dict[str, list[tuple[int, int, str]]] = {}
    for sheet, ref, text in out.meta.cells:
        found = recorded.get(sheet)
        if found is None:
            found = recorded[sheet] = []
        found.append((*parse_cell(ref), text))
    snapshot_rows = {sheet: [max(r for r, _, _ in cells)] for sheet, cells in recorded.items()}
    grids: dict[str, _Grid] = {}
    names: dict[str, dict[str, CellRange]] = {}
    for name in ([cover_name] if cover_name in book.sheet_names else []) + present:
        names[name] = _locations(book, name, spec) if name != cover_name else {}
        grids[name] = _Grid(book, name, _last_row(spec, names[name], snapshot_rows.get(name, [])))
    dept_layout = None
    if dept_sheet is not None:
        from .dept import last_row, locations, read_dept
        if dept_sheet in book.sheet_names:
            dept_names = locations(book, dept_sheet)
            grids[dept_sheet] = _Grid(book, dept_sheet, last_row(spec, dept_names))
            dept_layout = Layout(grids[dept_sheet].cells, recorded.get(dept_sheet, []))
            out.dept = read_dept(grids[dept_sheet], dept_names, spec, dept_layout)
        else:
            out.missing_sheets.insert(1 if cover_name in out.missing_sheets else 0, dept_sheet)
    layouts = {name: dept_layout if name == dept_sheet else
               Layout(grid.cells, recorded.get(name, [])) for name, grid in grids.items()}
    if cover_name in grids:
        out.cover = {key: grids[cover_name].cell(*layouts[cover_name].at(f.range.row1,
                                                                          f.range.col1))
                     for key, f in spec.cover.fields.items()}
    code_at = parse_cell(spec.project.fields["project_code"].range.top_left)
    prefilled_sheets = {sheet for sheet, cells in recorded.items()
                        if any((r, c) == code_at for r, c, _ in cells)}
    out.projects = [_read_project(grids[name], names[name], spec, name in prefilled_sheets,
                                  layouts[name]) for name in present]
    for name, layout in layouts.items():   # pre-filled values compared where they are now
        if layout.moved:
            out.moved.append((name, layout.moved[0]))
        for r, c, text in layout.lost:
            r, c = layout.at(r, c)
            value = grids[name].cells.get((r, c), (None, None))[0]
            if not same(text, value):
                out.changed.append(Changed(name, cell_name(r, c), text,
                                           "" if value is None else str(value)))
    lists = spec.sheets.lists
    if lists in book.sheet_names:
        out.list_values = {k: v for k, v in _list_columns(book, lists).items()}
    return out


def _list_columns(book: Book, sheet: str) -> dict[str, list[str]]:
    """The hidden list sheet as name (row 1) -> items."""
    grid = book.cells(sheet, 200, formats=False)
    columns: dict[int, list[tuple[int, str]]] = {}
    for (r, c), (value, _) in grid.items():
        columns.setdefault(c, []).append((r, "" if value is None else str(value)))
    out = {}
    for c, items in sorted(columns.items()):
        items.sort()
        if items and items[0][0] == 0:
            out[items[0][1]] = [v for _, v in items[1:]]
    return out
