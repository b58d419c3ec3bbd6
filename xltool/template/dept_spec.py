"""The spec of the 部门整体绩效目标 sheet (Part 1 of the published targets), as pydantic models.

The sheet holds the unit's overall goal, its budget, a table of areas (分项) with their goals, a
table of indicators (each tied to an area by name) and the 工作保障措施. Like the project sheet,
every coordinate is written once, in templates/project.yaml; tables are described by their
first row and columns, and the cells of each row are derived here.
"""
from __future__ import annotations

from functools import cached_property
from pydantic import model_validator

from .cells import CellRange, col_index
from .spec import Prompt, SheetLayout, Strict

DEPT_FIELD_KEYS = ("budget_total", "budget_basic", "goal", "measures")
AREA_KEYS = ("name", "goal")
DEPT_INDICATOR_KEYS = ("area", "tier1", "tier2", "tier3", "operator", "value", "unit", "basis")


class TableColumn(Strict):
    key: str
    header: str
    prompt: Prompt
    span: int = 1       # columns merged for this field in each row (only the last column)


class TableSpec(Strict):
    """A table of input rows: a header row, then `rows` rows of the given columns."""
    header_row: int
    first_row: int
    rows: int
    first_col: str
    row_height: float | None = None
    columns: list[TableColumn]

    @model_validator(mode="after")
    def _shape(self) -> "TableSpec":
        if self.first_row <= self.header_row:
            raise ValueError("a table body must start below its header")
        if not 1 <= self.rows <= 500:
            raise ValueError("a table has between 1 and 500 rows")
        if any(c.span < 1 for c in self.columns) or \
                any(c.span != 1 for c in self.columns[:-1]):
            raise ValueError("only the last column of a table may span several columns")
        return self

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def _col(self, key: str) -> int:
        return col_index(self.first_col) + self.keys.index(key)

    def _span(self, key: str) -> int:
        return self.columns[self.keys.index(key)].span

    @cached_property
    def body(self) -> CellRange:
        """The range the table's defined name covers: one column per field (top-left cells)."""
        r0, c0 = self.first_row - 1, col_index(self.first_col)
        return CellRange(r0, c0, r0 + self.rows - 1, c0 + len(self.columns) - 1)

    @cached_property
    def extent(self) -> CellRange:
        """Every cell of the body, merged spans included."""
        body = self.body
        return CellRange(body.row1, body.col1, body.row2, body.col2 + self.columns[-1].span - 1)

    def header_cell(self, key: str) -> CellRange:
        c, r = self._col(key), self.header_row - 1
        return CellRange(r, c, r, c + self._span(key) - 1)

    def cell(self, row: int, key: str) -> CellRange:
        """The (merged) cell of field `key` in 0-based sheet row `row`."""
        c = self._col(key)
        return CellRange(row, c, row, c + self._span(key) - 1)

    def column(self, key: str) -> CellRange:
        """The top-left cells of one field down the body."""
        c = self._col(key)
        return CellRange(self.body.row1, c, self.body.row2, c)

    def places(self, what: str) -> list[tuple[str, CellRange]]:
        out = [(f"{what} header", self.header_cell(k)) for k in self.keys]
        return out + [(what, self.extent)]


class DeptSheetSpec(SheetLayout):
    sheet: str
    title: str                              # may use {year}
    areas: TableSpec
    indicators: TableSpec
    # paragraphs added to 填报说明 when the workbook has this sheet
    instructions: list[str]

    @model_validator(mode="after")
    def _consistent(self) -> "DeptSheetSpec":
        if tuple(self.fields) != DEPT_FIELD_KEYS:
            raise ValueError(f"department fields must be {DEPT_FIELD_KEYS} in this order")
        if self.areas.keys != AREA_KEYS:
            raise ValueError(f"area columns must be {AREA_KEYS} in this order")
        if self.indicators.keys != DEPT_INDICATOR_KEYS:
            raise ValueError(f"department indicator columns must be {DEPT_INDICATOR_KEYS}")
        taken: dict[tuple[int, int], str] = {}
        places = [("title", self.title_range), ("unit_line", self.unit_line)]
        places += [(lb.text, lb.range) for lb in self.labels]
        for key, f in self.fields.items():
            places += [(key, f.range), (key + " label", f.label.range)]
        places += self.areas.places("areas") + self.indicators.places("indicators")
        for what, rng in places:
            for cell in rng.cells():
                if cell in taken:
                    raise ValueError(f"department sheet: {what} overlaps {taken[cell]} "
                                     f"at {rng.a1}")
                taken[cell] = what
        return self

    @property
    def last_col(self) -> int:
        return self.indicators.body.col2

