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


def fill_workbook(src: Path, dest: Path, cover: dict | None = None,
                  projects: dict[str, dict] | None = None) -> None:
    """Copy src to dest with the given values: cover {unit field: value}, projects by sheet."""
    wb = openpyxl.load_workbook(src)
    for key, value in (cover or {}).items():
        (title, ref), = list(wb.defined_names[f"xt_{key}"].destinations)
        wb[title][ref.replace("$", "")] = value
    for sheet, project in (projects or {}).items():
        fill_sheet(wb[sheet], project)
    with atomic_path(dest) as tmp:
        wb.save(tmp)
