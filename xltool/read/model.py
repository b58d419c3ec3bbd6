"""The cells of a returned workbook as the checks see them: a Cell for each field, and the
indicator rows, whose values are kept as read and made into Cells only when asked for."""
from __future__ import annotations

from dataclasses import dataclass

from ..template.cells import cell_name
from ..values import clean_text

_EMPTY = (None, None)
_NONE: frozenset = frozenset()


def is_blank(value: object) -> bool:
    """Empty, or text that cleans to nothing (spaces, invisible characters)."""
    if value is None:
        return True
    if value.__class__ is str and value.isprintable():
        # printable: only ASCII spaces can vanish when the text is cleaned
        return not value or value.isspace()
    return isinstance(value, str) and clean_text(value) == ""


def filled_values(data: list[tuple[object, object]]) -> list:
    """The values of (value, format) pairs that are not blank (is_blank, said quickly)."""
    return [v for v, _ in data if v is not None and (
        v.__class__ is not str or v and not v.isspace() and (v.isprintable() or not is_blank(v)))]


@dataclass(slots=True)
class Cell:
    sheet: str
    ref: str              # A1 of the cell (top-left of a merged field)
    value: object         # the cached value; None when empty
    number_format: str | None = None
    formula_without_value: bool = False

    @property
    def blank(self) -> bool:
        return is_blank(self.value)


class IndicatorRow:
    """One used row of an indicator table, its cells by key (INDICATOR_KEYS on a project sheet,
    DEPT_INDICATOR_KEYS on the 部门整体绩效目标 sheet).

    A row read by `IndicatorRow.read` keeps (value, number format) per key as the sheet gave
    them; `value`, `ref` and `is_blank` answer from those, and the Cell objects of `row[key]`
    and `cells` are made on first use. A row given its Cells (`IndicatorRow(number, cells)`)
    answers the same from them."""

    __slots__ = ("number", "reading", "note", "blanks", "_cells", "_index", "_data",
                 "_unsaved", "_sheet", "_row", "_cols")

    def __init__(self, number: int, cells: dict[str, Cell], note: bool = False):
        self.number = number          # 1-based position in the table
        self.reading = None           # its interpretation, computed once by the checks
        self.note = note              # only one cell filled: a note typed into a spare row
        self.blanks = None            # keys of the blank cells, once worked out
        self._cells = cells
        self._index = {k: i for i, k in enumerate(cells)}
        self._data = [(c.value, c.number_format) for c in cells.values()]
        self._unsaved = frozenset(k for k, c in cells.items() if c.formula_without_value)

    @classmethod
    def read(cls, number: int, sheet: str, row: int, cols: range, data: list,
             index: dict[str, int], unsaved: frozenset, note: bool,
             blanks: frozenset | None) -> "IndicatorRow":
        """A row as read: `data[i]` is the (value, format) at (row, cols[i]), of key i of
        `index` (key -> position, shared by the rows of a table)."""
        self = cls.__new__(cls)
        self.number, self.reading, self.note, self.blanks = number, None, note, blanks
        self._cells, self._index, self._data, self._unsaved = None, index, data, unsaved
        self._sheet, self._row, self._cols = sheet, row, cols
        return self

    def has(self, key: str) -> bool:
        return key in self._index

    def value(self, key: str) -> object:
        return self._data[self._index[key]][0]

    def values(self, keys) -> list:
        """The values of `keys`, in that order."""
        data, index = self._data, self._index
        return [data[index[k]][0] for k in keys]

    def number_format(self, key: str) -> str | None:
        return self._data[self._index[key]][1]

    def ref(self, key: str) -> str:
        if self._cells is not None:
            return self._cells[key].ref
        return cell_name(self._row, self._cols[self._index[key]])

    @property
    def unsaved_keys(self) -> frozenset:
        """Keys whose cell holds a formula saved without its value."""
        return self._unsaved

    def unsaved_cells(self) -> list[Cell]:
        """The cells holding a formula saved without its value, in key order."""
        return [self[k] for k in self._index if k in self._unsaved] if self._unsaved else []

    def blank_keys(self) -> frozenset:
        """The keys of the row's blank cells, worked out once for all the rules."""
        if self.blanks is None:
            self.blanks = frozenset(k for k, i in self._index.items()
                                    if is_blank(self._data[i][0]))
        return self.blanks

    def is_blank(self, key: str) -> bool:
        return key in self.blank_keys()

    @property
    def cells(self) -> dict[str, Cell]:
        if self._cells is None:
            sheet, row, cols, data, unsaved = (self._sheet, self._row, self._cols, self._data,
                                               self._unsaved)
            self._cells = {k: Cell(sheet, cell_name(row, cols[i]), *data[i], k in unsaved)
                           for k, i in self._index.items()}
        return self._cells

    def __getitem__(self, key: str) -> Cell:
        return self.cells[key]

    def __repr__(self) -> str:
        return f"IndicatorRow({self.number}, {dict(zip(self._index, self._data))!r})"
