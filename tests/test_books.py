"""The two .xlsx readers agree: the fast one (calamine + part scans) and the openpyxl fallback."""
from __future__ import annotations

import openpyxl
import pytest
from support import REPO

from xltool.read.books import OpenpyxlBook
from xltool.read.xlsx import FastXlsxBook
from xltool.values import is_percent_format

RETURNS = REPO / "examples" / "returns"


def _formula_return(tmp_path):
    wb = openpyxl.load_workbook(next(RETURNS.glob("484001*")))
    ws = wb.worksheets[2]
    ws["E7"] = "=B7*4"          # a formula (no cached value, as openpyxl writes it)
    ws["F10"] = 0.95
    ws["F10"].number_format = "0.0%"
    path = tmp_path / "f.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("which", ["seed", "broken", "formula", "generated"])
def test_fast_and_openpyxl_books_agree(which, tmp_path):
    path = {"seed": lambda: next(RETURNS.glob("484001*")),
            "broken": lambda: next(RETURNS.glob("489001*.xlsx")),
            "formula": lambda: _formula_return(tmp_path),
            "generated": lambda: next((REPO / "examples" / "generated").glob("484001*"))}[which]()
    fast, slow = FastXlsxBook(path), OpenpyxlBook(path)
    try:
        assert fast.sheet_names == slow.sheet_names and fast.states == slow.states
        for sheet in fast.sheet_names:
            a, b = fast.cells(sheet, 40), slow.cells(sheet, 40)
            assert {k: v[0] for k, v in a.items()} == {k: v[0] for k, v in b.items()}, sheet
            assert {k for k, v in a.items() if is_percent_format(v[1])} == \
                {k for k, v in b.items() if is_percent_format(v[1])}, sheet
            assert fast.formulas(sheet, 40) == slow.formulas(sheet, 40), sheet
            for name in ("xt_goal", "xt_plan", "xt_indicators", "xt_project_code",
                         "xt_dept_goal", "xt_dept_areas", "xt_dept_indicators"):
                assert fast.local_name(sheet, name) == slow.local_name(sheet, name)
        assert fast.rows("xt_meta", 20000) == slow.rows("xt_meta", 20000)
        if which == "formula":
            assert (6, 4) in fast.formulas(fast.sheet_names[2], 40)
    finally:
        fast.close()
        slow.close()
