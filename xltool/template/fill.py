"""Write values into the input cells of a generated workbook, found through its xt_* names.

Used to build the bundled examples and test cases from data, and usable to carry last year's
targets into this year's workbooks. The source workbook is never modified; the result is
written atomically to a new file.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl

from ..atomic import atomic_path
from .cells import CellRange
from .spec import INDICATOR_KEYS
from ..values import split_target
from .writer import text_height

SeedRow = list  # [一级, 二级, 三级, 描述, 指标值（原表写法，如 ≥95百分比）, 依据]


def _target(ws, name: str) -> CellRange:
    (title, ref), = list(ws.defined_names[name].destinations)
    return CellRange.parse(ref.replace("$", ""))


def _put(ws, rng: CellRange, value) -> None:
    ws.cell(rng.row1 + 1, rng.col1 + 1).value = value


def seed_row(row: SeedRow, units: list[str]) -> list:
    """A row written like the published tables (value "≥95百分比") as the form's 8 columns."""
    tier1, tier2, tier3, description, value, basis = row
    target = split_target(value, None, units)
    if target.word is not None:
        return [tier1, tier2, tier3, description, "定性", target.word, None, basis]
    number = int(target.number) if target.number == int(target.number) else float(target.number)
    return [tier1, tier2, tier3, description, target.operator, number, target.unit, basis]


def dept_row(area: str, row: list, units: list[str]) -> list:
    """A department indicator [一级, 二级, 三级, 指标值（原文写法）] as the sheet's 8 columns."""
    tier1, tier2, tier3, value = row
    out = seed_row([tier1, tier2, tier3, None, value, None], units)
    return [area, *out[:3], *out[4:]]


def fill_sheet(ws, project: dict) -> None:
    """project: fields {key: value}, plan [..], indicators [[8 values], ...], cells {A1: v}."""
    for key, value in (project.get("fields") or {}).items():
        _put(ws, _target(ws, f"xt_{key}"), value)
    if "plan" in project:
        plan = _target(ws, "xt_plan")
        for i, value in enumerate(project["plan"]):
            ws.cell(plan.row1 + 1, plan.col1 + 1 + i).value = value
    if "indicators" in project:
        body = _target(ws, "xt_indicators")
        for r in range(body.row1, body.row2 + 1):
            for c in range(body.col1, body.col2 + 1):
                ws.cell(r + 1, c + 1).value = None
        for i, row in enumerate(project["indicators"]):
            if len(row) != len(INDICATOR_KEYS):
                raise ValueError(f"indicator row {i + 1} needs {len(INDICATOR_KEYS)} values")
            for j, value in enumerate(row):
                ws.cell(body.row1 + 1 + i, body.col1 + 1 + j).value = value
    for ref, value in (project.get("cells") or {}).items():
        ws[ref] = value
    fit_rows(ws)


def fit_rows(ws) -> None:
    """Row heights that show the wrapped text of every input row (openpyxl, unlike Excel, does
    not grow a row while values are written into it)."""
    for name in ("xt_purpose", "xt_goal", "xt_indicators"):
        if name not in ws.defined_names:
            continue
        rng = _target(ws, name)
        for r in range(rng.row1, rng.row2 + 1):
            need = 0.0
            for c in range(rng.col1, rng.col2 + 1):
                value = ws.cell(r + 1, c + 1).value
                if value in (None, ""):
                    continue
                width = _merged_width(ws, r + 1, c + 1)
                need = max(need, text_height(str(value), width))
            current = ws.row_dimensions[r + 1].height or 15
            if need > current:
                ws.row_dimensions[r + 1].height = need


def _merged_width(ws, row: int, col: int) -> float:
    """Width in characters of the cell, or of the merged range it starts."""
    cols = [col]
    for merged in ws.merged_cells.ranges:
        if merged.min_row == row and merged.min_col == col:
            cols = list(range(merged.min_col, merged.max_col + 1))
            break
    widths: dict[int, float] = {}
    for dim in ws.column_dimensions.values():   # one entry may cover several columns (min..max)
        if dim.customWidth and dim.min and dim.max:
            widths.update({c: dim.width for c in range(dim.min, dim.max + 1)})
    return sum(widths.get(c, 8.43) for c in cols)


def _fill_table(ws, name: str, rows: list[list]) -> None:
    body = _target(ws, name)
    width = body.col2 - body.col1 + 1
    for r in range(body.row1, body.row2 + 1):
        for c in range(body.col1, body.col2 + 1):
            ws.cell(r + 1, c + 1).value = None
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"{name} row {i + 1} needs {width} values")
        for j, value in enumerate(row):
            ws.cell(body.row1 + 1 + i, body.col1 + 1 + j).value = value


def fill_dept(ws, dept: dict) -> None:
    """dept: fields {goal, measures}, areas [[名称, 目标], ...], indicators [[8 values], ...],
    cells {A1: v}, row_heights {row: points} (long text, as a person would widen rows)."""
    heights = dept.get("row_heights") or {}
    for key, value in (dept.get("fields") or {}).items():
        _put(ws, _target(ws, f"xt_dept_{key}"), value)
    if "areas" in dept:
        _fill_table(ws, "xt_dept_areas", dept["areas"])
    if "indicators" in dept:
        _fill_table(ws, "xt_dept_indicators", dept["indicators"])
    for row, height in heights.items():
        ws.row_dimensions[row].height = height
    for ref, value in (dept.get("cells") or {}).items():
        ws[ref] = value


def fill_workbook(src: Path, dest: Path, cover: dict | None = None,
                  projects: dict[str, dict] | None = None, dept: dict | None = None) -> None:
    """Copy src to dest with the given values: cover {unit field: value}, projects by sheet,
    dept for the 部门整体绩效目标 sheet (see fill_dept)."""
    wb = openpyxl.load_workbook(src)
    for key, value in (cover or {}).items():
        (title, ref), = list(wb.defined_names[f"xt_{key}"].destinations)
        wb[title][ref.replace("$", "")] = value
    for sheet, project in (projects or {}).items():
        fill_sheet(wb[sheet], project)
    if dept is not None:
        sheet = next(ws for ws in wb.worksheets if "xt_dept_goal" in ws.defined_names)
        fill_dept(sheet, dept)
    with atomic_path(dest) as tmp:
        wb.save(tmp)
