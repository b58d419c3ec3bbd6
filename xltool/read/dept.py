"""Read the 部门整体绩效目标 sheet of a returned workbook into a typed model.

Fields and tables are found by the sheet's xt_dept_* names (so inserted rows do not shift
them), falling back to the spec when a name is gone. Like the project reader it records what
was entered, with each value's cell, and never judges.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..template.cells import CellRange
from ..template.dept_spec import AREA_KEYS, DEPT_FIELD_KEYS, DEPT_INDICATOR_KEYS, TableSpec
from ..template.spec import TemplateSpec
from ..values import clean_text
from .layout import Layout
from .model import Cell, IndicatorRow
from .reader import MARGIN_ROWS, named_ranges

MAX_TABLE_ROWS = 1000


@dataclass(slots=True)
class AreaRow:
    number: int                 # 1-based position in the area table
    name: Cell
    goal: Cell


@dataclass
class DeptSheet:
    name: str
    fields: dict[str, Cell]                       # DEPT_FIELD_KEYS -> cell
    areas_body: CellRange                         # the area table body
    areas: list[AreaRow]                          # rows with anything in them
    body: CellRange                               # the indicator table body
    indicators: list[IndicatorRow] = field(default_factory=list)  # keys DEPT_INDICATOR_KEYS
    outside: list[Cell] = field(default_factory=list)  # filled cells the form does not use

    @property
    def goal(self) -> Cell:
        return self.fields["goal"]

    @property
    def measures(self) -> Cell:
        return self.fields["measures"]


def locations(book, sheet: str) -> dict[str, CellRange]:
    """The sheet's xt_dept_* names that are present (and sane)."""
    return named_ranges(book, sheet, "xt_dept_", (*DEPT_FIELD_KEYS, "areas", "indicators"),
                        MAX_TABLE_ROWS)


def last_row(spec: TemplateSpec, names: dict[str, CellRange]) -> int:
    """The last 0-based row the reader needs on the sheet."""
    d = spec.dept
    rows = [d.indicators.extent.row2, d.areas.extent.row2,
            *(f.range.row2 for f in d.fields.values()), *(r.row2 for r in names.values())]
    return max(rows) + 1 + MARGIN_ROWS


def _body(names: dict[str, CellRange], key: str, table: TableSpec, layout: Layout) -> CellRange:
    rng = names.get(key)
    if rng is None or rng.col2 - rng.col1 + 1 != len(table.columns):
        return layout.range(table.body)
    return rng


def _rows(grid, body: CellRange, keys: tuple[str, ...]):
    used = {r for r, c in (*grid.cells, *grid.unsaved)
            if body.row1 <= r <= body.row2 and body.col1 <= c <= body.col2}
    for i, r in enumerate(range(body.row1, body.row2 + 1), start=1):
        if r in used:
            cells = {k: grid.cell(r, body.col1 + j) for j, k in enumerate(keys)}
            if any(not c.blank or c.formula_without_value for c in cells.values()):
                yield i, cells


def _form_cells(spec: TemplateSpec, names: dict[str, CellRange], areas: CellRange,
                body: CellRange, layout: Layout) -> set[tuple[int, int]]:
    """Every cell the form itself uses: what was written there and what is read from it."""
    d = spec.dept
    known = {(r + dr, c + dc) for r, c, dr, dc in layout.anchors}
    known.update((r, c) for r, c, _ in layout.lost)
    ranges = [d.title_range, d.unit_line, *(lb.range for lb in d.labels),
              *(f.label.range for f in d.fields.values()), *(f.range for f in d.fields.values()),
              *(rng for _, rng in d.areas.places("areas") + d.indicators.places("indicators")),
              *names.values()]
    for table, rng in ((d.areas, areas), (d.indicators, body)):  # the bodies where they are now
        ranges.append(CellRange(rng.row1, rng.col1, rng.row2,
                                rng.col2 + table.columns[-1].span - 1))
    for rng in ranges:
        known.update(rng.cells())
        if layout.shifted:
            known.update(layout.range(rng).cells())
    return known


def read_dept(grid, names: dict[str, CellRange], spec: TemplateSpec,
              layout: Layout | None = None) -> DeptSheet:
    """The model of the sheet `grid` holds (see reader._Grid). `layout` places what the sheet's
    names do not (a file saved as .xls/.ods keeps no sheet-scoped names) where rows or columns
    inserted by the township moved it, from the cells the county wrote (the identity)."""
    d = spec.dept
    layout = layout or Layout(grid.cells, [])
    fields = {}
    for key in DEPT_FIELD_KEYS:
        rng = names.get(key) or layout.range(d.fields[key].range)
        fields[key] = grid.cell(rng.row1, rng.col1)
    areas_body = _body(names, "areas", d.areas, layout)
    areas = [AreaRow(i, cells["name"], cells["goal"])
             for i, cells in _rows(grid, areas_body, AREA_KEYS)]
    body = _body(names, "indicators", d.indicators, layout)
    indicators = [IndicatorRow(i, cells) for i, cells in _rows(grid, body, DEPT_INDICATOR_KEYS)]
    known = _form_cells(spec, names, areas_body, body, layout)
    outside = [grid.cell(r, c) for (r, c), (value, _) in sorted(grid.cells.items())
               if (r, c) not in known and clean_text(value) != ""]
    return DeptSheet(grid.name, fields, areas_body, areas, body, indicators, outside)
