"""A1 cell and range references, 0-based internally (as xlsxwriter counts)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})$")


@lru_cache(maxsize=4096)
def col_index(letters: str) -> int:
    """'A' -> 0, 'Z' -> 25, 'AA' -> 26."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def col_letters(index: int) -> str:
    """0 -> 'A', 26 -> 'AA'."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@lru_cache(maxsize=65536)
def cell_name(row: int, col: int) -> str:
    return f"{col_letters(col)}{row + 1}"


@lru_cache(maxsize=65536)
def parse_cell(ref: str) -> tuple[int, int]:
    m = _CELL.match(ref.strip().upper())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)) - 1, col_index(m.group(1))


@dataclass(frozen=True, order=True)
class CellRange:
    row1: int
    col1: int
    row2: int
    col2: int

    @classmethod
    def parse(cls, ref: str) -> "CellRange":
        first, _, last = ref.partition(":")
        r1, c1 = parse_cell(first)
        r2, c2 = parse_cell(last) if last else (r1, c1)
        if r2 < r1 or c2 < c1:
            raise ValueError(f"range must run top-left to bottom-right: {ref!r}")
        return cls(r1, c1, r2, c2)

    @classmethod
    def at(cls, row: int, col: int) -> "CellRange":
        return cls(row, col, row, col)

    @property
    def is_cell(self) -> bool:
        return self.row1 == self.row2 and self.col1 == self.col2

    @property
    def a1(self) -> str:
        first = cell_name(self.row1, self.col1)
        return first if self.is_cell else f"{first}:{cell_name(self.row2, self.col2)}"

    @property
    def top_left(self) -> str:
        return cell_name(self.row1, self.col1)

    def absolute(self, sheet: str | None = None) -> str:
        """'$B$3:$D$3', with a quoted sheet name in front when given."""
        def ab(r: int, c: int) -> str:
            return f"${col_letters(c)}${r + 1}"
        ref = ab(self.row1, self.col1)
        if not self.is_cell:
            ref += ":" + ab(self.row2, self.col2)
        if sheet is None:
            return ref
        return "'" + sheet.replace("'", "''") + "'!" + ref

    def cells(self) -> Iterator[tuple[int, int]]:
        for r in range(self.row1, self.row2 + 1):
            for c in range(self.col1, self.col2 + 1):
                yield r, c

    def __str__(self) -> str:
        return self.a1
