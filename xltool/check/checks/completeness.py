"""Is everything that must be filled in filled in?"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ...read.reader import ReadWorkbook
from ...template.dept_spec import DEPT_INDICATOR_KEYS
from ...template.spec import INDICATOR_KEYS, PROJECT_FIELD_KEYS
from ...values import display, is_no_unit
from .indicators import interpret
from .registry import Finding, check

ProjectField = Literal[PROJECT_FIELD_KEYS]  # type: ignore[valid-type]
IndicatorKey = Literal[INDICATOR_KEYS]  # type: ignore[valid-type]
DeptIndicatorKey = Literal[DEPT_INDICATOR_KEYS]  # type: ignore[valid-type]
CoverField = Literal["unit_code", "unit_name", "contact", "phone"]


class FieldsParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    fields: list[ProjectField]


class CoverParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    fields: list[CoverField]


class IndicatorParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    columns: list[IndicatorKey]


class DeptIndicatorParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    columns: list[DeptIndicatorKey]


def used_projects(wb: ReadWorkbook):
    return [p for p in wb.projects if p.used]


@check("required_fields", keys={"field"}, params=FieldsParams)
def required_fields(wb: ReadWorkbook, params: FieldsParams):
    """A required project field is empty."""
    for p in used_projects(wb):
        for key in params.fields:
            cell = p.fields[key]
            if cell.blank and not cell.formula_without_value:
                yield Finding(p.name, cell.ref, {"field": wb.spec.project.fields[key].label.text})


@check("cover_required", keys={"field"}, params=CoverParams)
def cover_required(wb: ReadWorkbook, params: CoverParams):
    """A field of the unit block on the instructions sheet is empty."""
    for key in params.fields:
        cell = wb.cover.get(key)
        if cell is not None and cell.blank:
            yield Finding(cell.sheet, cell.ref, {"field": wb.spec.cover.fields[key].label.text})


@check("plan_required", keys={"checkpoint"})
def plan_required(wb: ReadWorkbook, _):
    """A checkpoint of the spending plan is empty."""
    for p in used_projects(wb):
        for name, cell in zip(wb.spec.checkpoints, p.plan):
            if cell.blank and not cell.formula_without_value:
                yield Finding(p.name, cell.ref, {"checkpoint": name})


@check("indicator_incomplete", keys={"number", "column"}, params=IndicatorParams)
def indicator_incomplete(wb: ReadWorkbook, params: IndicatorParams):
    """A used indicator row lacks a required column (unit only for quantitative ones)."""
    headers = {c.key: c.header for c in wb.spec.project.indicators.columns}
    for p in used_projects(wb):
        yield from _incomplete(wb, p.name, p.indicators, params.columns, headers)


@check("dept_indicator_incomplete", keys={"number", "column"}, params=DeptIndicatorParams)
def dept_indicator_incomplete(wb: ReadWorkbook, params: DeptIndicatorParams):
    """部门整体绩效目标: a used indicator row lacks a required column."""
    if wb.dept is not None:
        headers = {c.key: c.header for c in wb.spec.dept.indicators.columns}
        yield from _incomplete(wb, wb.dept.name, wb.dept.indicators, params.columns, headers)


def _incomplete(wb: ReadWorkbook, sheet: str, rows, columns, headers: dict):
    """The empty required cells of indicator rows (unit only for quantitative ones)."""
    for row in rows:
        if row.note:   # a note in a spare row is XT110's, once
            continue
        reading = None
        blanks, unsaved = row.blank_keys(), row.unsaved_keys
        if not blanks and ("unit" not in columns or not is_no_unit(row.value("unit"))):
            continue   # every cell filled (the usual row)
        for key in columns:
            empty = is_no_unit(row.value(key)) if key == "unit" else key in blanks
            if not empty or key in unsaved:
                continue
            if key in ("operator", "unit"):  # may be written inside the value (≥95%)
                reading = reading or interpret(row, wb.spec)
                word = reading.word in wb.spec.lists.qualitative  # XT508 says what to do
                given = (reading.operator is not None or word) if key == "operator" else \
                    reading.unit is not None or reading.qualitative or word
                if given:
                    continue
            yield Finding(sheet, row.ref(key), {"number": row.number, "column": headers[key]})


@check("no_indicators")
def no_indicators(wb: ReadWorkbook, _):
    """A project has no indicators at all."""
    for p in used_projects(wb):
        if not p.indicators:
            yield Finding(p.name, p.body.a1)


@check("no_projects")
def no_projects(wb: ReadWorkbook, _):
    """No project sheet of the workbook is filled in."""
    if wb.projects and not any(p.used for p in wb.projects):
        first = wb.projects[0]
        yield Finding(first.name, first.fields["project_code"].ref)


@check("content_outside", keys={"count", "first", "last"})
def content_outside(wb: ReadWorkbook, _):
    """Something is written outside the form (it would not be read)."""
    sheets = [(p.name, p.outside) for p in wb.projects]
    if wb.dept is not None:
        sheets.insert(0, (wb.dept.name, wb.dept.outside))
    for name, outside in sheets:
        if outside:
            first, last = outside[0], outside[-1]
            yield Finding(name, first.ref, {"count": len(outside), "first": first.ref,
                                            "last": last.ref})


@check("indicator_note", keys={"number", "value"})
def indicator_note(wb: ReadWorkbook, _):
    """An indicator row has one cell filled and nothing else (a note typed into a spare row):
    one message for the row, not one per empty column."""
    for p in used_projects(wb):
        for row in p.indicators:
            if row.note:
                cell = next(c for c in row.cells.values() if not c.blank)
                yield Finding(p.name, cell.ref, {"number": row.number,
                                                 "value": display(cell.value)})
