"""The 部门整体绩效目标 sheet: goal and measures written, areas complete and distinct, every
indicator tied to an area, the tiers the department needs.

The checks of single indicator rows (operators, values, units, percentages, tiers from the
framework) are the project sheets' own, registered for this sheet in indicators.py.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ...read.reader import ReadWorkbook
from ...template.cells import CellRange, parse_cell
from ...values import clean_text, display
from .indicators import interpret
from .registry import Finding, check


class TextParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    field: str                 # goal | measures
    min_chars: int = 1


@check("dept_text", keys={"field", "length", "min"}, params=TextParams)
def dept_text(wb: ReadWorkbook, params: TextParams):
    """A paragraph of the department sheet (总体绩效目标, 工作保障措施) is empty or too short."""
    d = wb.dept
    if d is None or params.field not in d.fields:
        return
    cell = d.fields[params.field]
    length = len("".join(clean_text(cell.value).split()))
    if length < params.min_chars and not cell.formula_without_value:
        yield Finding(d.name, cell.ref, {"field": wb.spec.dept.fields[params.field].label.text
                                         .split("、")[-1], "length": length,
                                         "min": params.min_chars})


def _names(wb: ReadWorkbook) -> dict[str, str]:
    """Area name -> the cell of its first row."""
    out: dict[str, str] = {}
    for area in wb.dept.areas:
        name = clean_text(area.name.value)
        if name:
            out.setdefault(name, area.name.ref)
    return out


@check("dept_no_area")
def dept_no_area(wb: ReadWorkbook, _):
    """The department sheet has no area (分项) at all."""
    d = wb.dept
    if d is not None and not d.areas:
        yield Finding(d.name, d.areas_body.a1)


@check("dept_area_incomplete", keys={"number", "column"})
def dept_area_incomplete(wb: ReadWorkbook, _):
    """An area row lacks its name or its goal text."""
    d = wb.dept
    if d is None:
        return
    headers = {c.key: c.header for c in wb.spec.dept.areas.columns}
    for area in d.areas:
        for key, cell in (("name", area.name), ("goal", area.goal)):
            if cell.blank and not cell.formula_without_value:
                yield Finding(d.name, cell.ref, {"number": area.number, "column": headers[key]})


@check("dept_area_no_indicator", keys={"value"})
def dept_area_no_indicator(wb: ReadWorkbook, _):
    """An area has no indicator whose 所属分项 names it."""
    d = wb.dept
    if d is None:
        return
    used = {clean_text(row.value("area")) for row in d.indicators}
    for name, ref in _names(wb).items():
        if name not in used:
            yield Finding(d.name, ref, {"value": display(name)})


@check("dept_indicator_area", keys={"value", "allowed"})
def dept_indicator_area(wb: ReadWorkbook, _):
    """An indicator's 所属分项 is not one of the areas above."""
    d = wb.dept
    if d is None:
        return
    names = _names(wb)
    allowed = "、".join(names) or "（分项表中还没有填写分项）"
    for row in d.indicators:
        value = clean_text(row.value("area"))
        if value and value not in names:
            yield Finding(d.name, row.ref("area"), {"value": display(value), "allowed": allowed})


@check("dept_duplicate_area", keys={"value", "first"})
def dept_duplicate_area(wb: ReadWorkbook, _):
    """Two areas have the same name."""
    d = wb.dept
    if d is None:
        return
    seen: dict[str, str] = {}
    for area in d.areas:
        name = clean_text(area.name.value)
        if name in seen:
            yield Finding(d.name, area.name.ref, {"value": display(name), "first": seen[name]})
        elif name:
            seen[name] = area.name.ref


def _row_range(row) -> str:
    refs = [parse_cell(c.ref) for c in row.cells.values()]
    r, c1, c2 = refs[0][0], min(c for _, c in refs), max(c for _, c in refs)
    return CellRange(r, c1, r, c2).a1


@check("dept_duplicate_indicator", keys={"value", "first"})
def dept_duplicate_indicator(wb: ReadWorkbook, _):
    """The same indicator (tiers, name, operator, value and unit alike) twice within an area."""
    d = wb.dept
    if d is None:
        return
    seen: dict[tuple, str] = {}
    for row in d.indicators:
        r = interpret(row, wb.spec)
        key = (clean_text(row.value("area")), r.tier1, r.tier2, r.tier3, r.operator,
               r.number, r.word, r.unit if not r.qualitative else None,
               clean_text(row.value("basis")))
        if not r.tier3:
            continue
        where = _row_range(row)
        if key in seen:
            yield Finding(d.name, where, {"value": display(r.tier3), "first": seen[key]})
        else:
            seen[key] = where


class TierGroupsParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    # each group needs at least one indicator under one of its 一级; names the department's
    # framework does not have are left out (a group left empty is not required)
    groups: list[list[str]]


@check("dept_tiers_present", keys={"tiers"}, params=TierGroupsParams)
def dept_tiers_present(wb: ReadWorkbook, params: TierGroupsParams):
    """The department's indicators lack a required kind (产出; 效益 or 满意度)."""
    d = wb.dept
    if d is None or not d.indicators or wb.dept_framework is None:
        return
    known = set(wb.dept_framework.tier1_names)
    have = {clean_text(row.value("tier1")) for row in d.indicators}
    for group in params.groups:
        names = [n for n in group if n in known]
        if names and not have & set(names):
            yield Finding(d.name, d.body.a1, {"tiers": "或".join(names)})
