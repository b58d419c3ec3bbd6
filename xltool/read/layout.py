"""Where the template's cells are now, after a township inserted or deleted rows or columns.

The identity sheet records every pre-filled value and label with its cell. Each is looked for
at its cell, else nearby (the same text, within a window of rows and columns); the ones found
are anchors, and any other template cell is placed by the displacement of the nearest anchor
in its row (left of it) or above it. So a row inserted above the budget block moves the
fields, labels and pre-filled values with it: they are read where they are, the pre-filled
values are compared where they went, and one message says the layout was changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..template.cells import CellRange
from ..values import clean_text, to_decimal
from .model import _EMPTY

ROWS_UP, ROWS_DOWN = 10, 60        # how far a moved label is looked for
COLS_LEFT, COLS_RIGHT = 8, 20


def same(expected: str, value: object) -> bool:
    """Does a cell still hold what the identity sheet recorded?"""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = to_decimal(expected)
        return number is not None and number == to_decimal(value)
    return ("" if value is None else str(value)) == expected


@dataclass(frozen=True)
class Moved:
    text: str
    was: tuple[int, int]
    now: tuple[int, int]


class Layout:
    """Displacements of one sheet, from its recorded (row, col, text) cells."""

    def __init__(self, cells: dict[tuple[int, int], tuple[object, str | None]],
                 recorded: list[tuple[int, int, str]]):
        self.anchors: list[tuple[int, int, int, int]] = []   # row, col, drow, dcol
        self.moved: list[Moved] = []
        self.lost: list[tuple[int, int, str]] = []           # recorded cells not found
        index: dict[str, list[tuple[int, int]]] | None = None   # made when first needed
        for r, c, text in sorted(recorded):
            value = cells.get((r, c), _EMPTY)[0]
            if value == text and value.__class__ is str or same(text, value):
                self.anchors.append((r, c, 0, 0))
                continue
            if index is None:
                index = {}
                for pos, (value, _) in cells.items():
                    if isinstance(value, str):
                        index.setdefault(clean_text(value), []).append(pos)
            near = [p for p in index.get(clean_text(text), []) if clean_text(text)
                    and -ROWS_UP <= p[0] - r <= ROWS_DOWN and -COLS_LEFT <= p[1] - c <= COLS_RIGHT]
            if near:
                p = min(near, key=lambda p: (abs(p[0] - r) + abs(p[1] - c), p))
                self.anchors.append((r, c, p[0] - r, p[1] - c))
                self.moved.append(Moved(text, (r, c), p))
            else:
                self.lost.append((r, c, text))

    @property
    def shifted(self) -> bool:
        return bool(self.moved)

    def shift(self, row: int, col: int) -> tuple[int, int]:
        """(drow, dcol) for a template cell: from the nearest anchor in its row at or left of
        it, else in the nearest row above (at or left of it), else the nearest anchor."""
        if not self.moved:
            return 0, 0
        best = None
        for r, c, dr, dc in self.anchors:
            if r > row:
                continue
            key = (row - r, 0 if c <= col else 1, abs(col - c))
            if best is None or key < best[0]:
                best = (key, dr, dc)
        if best is None:
            r, c, dr, dc = min(self.anchors, key=lambda a: (abs(a[0] - row), abs(a[1] - col)))
            return dr, dc
        return best[1], best[2]

    def at(self, row: int, col: int) -> tuple[int, int]:
        dr, dc = self.shift(row, col)
        return row + dr, col + dc

    def range(self, rng: CellRange) -> CellRange:
        dr, dc = self.shift(rng.row1, rng.col1)
        return CellRange(rng.row1 + dr, rng.col1 + dc, rng.row2 + dr, rng.col2 + dc)
