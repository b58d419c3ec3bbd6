"""The indicator table: tiers from the framework, operators, values, units, duplicates.

The checks of single indicator rows (tiers, operators, values, units, percentages) are written
once and registered twice by `row_check`: under their own name over the project sheets, and as
dept_<name> over the indicators of the 部门整体绩效目标 sheet, each with the framework its rows
follow. Rules give the two their own codes (XT4xx/XT5xx and XT7xx).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from ...read.reader import IndicatorRow, ReadWorkbook
from ...template.spec import TemplateSpec
from ...values import (PERCENT_UNIT, QUALITATIVE, clean_text, display,
                      is_no_unit, is_percent_format, normalise_operator, normalise_unit,
                      number_text, split_target)
from .registry import Finding, NoParams, check, check_twice


@dataclass(frozen=True)
class Reading:
    """One indicator row as understood: the operator and unit may come from the value text."""
    tier1: str
    tier2: str
    tier3: str
    operator: str | None        # normalised; None when missing or unknown
    operator_text: str          # what the 符号 cell holds
    written_operator: str | None  # an operator typed inside the value (≥95)
    number: Decimal | None
    word: str | None
    unit: str | None            # normalised; None when missing or unknown
    unit_text: str
    written_unit: str | None = None   # a unit typed inside the value (95%, 2次)
    fraction: bool = False      # 0 < number < 1 with unit 百分比, not shown as a percentage

    @property
    def is_word(self) -> bool:
        """The value is a qualitative word such as 优 or 是."""
        return self.number is None and self.word is not None
    @property
    def qualitative(self) -> bool:
        return self.operator == QUALITATIVE


_READ_KEYS = ("tier1", "tier2", "tier3", "operator", "value", "unit")
_readings: dict[tuple, Reading] = {}   # the same row text read once per process


def interpret(row: IndicatorRow, spec: TemplateSpec) -> Reading:
    if row.reading is None:
        key = (id(spec), row.number_format("value"),
               *[(type(v), v) for v in row.values(_READ_KEYS)])
        reading = _readings.get(key)
        if reading is None:
            if len(_readings) > 50_000:
                _readings.clear()
            reading = _readings[key] = _interpret(row, spec)
        row.reading = reading
    return row.reading


def _interpret(row: IndicatorRow, spec: TemplateSpec) -> Reading:
    value_format = row.number_format("value")
    target = split_target(row.value("value"), value_format, spec.lists.units)
    operator_text = clean_text(row.value("operator"))
    operator = normalise_operator(operator_text) if operator_text else target.operator
    unit_text = "" if is_no_unit(row.value("unit")) else clean_text(row.value("unit"))
    unit = normalise_unit(unit_text, spec.lists.units) if unit_text else target.unit
    number = target.number
    fraction = unit == PERCENT_UNIT and number is not None and 0 < number < 1 \
        and target.unit is None and not is_percent_format(value_format)
    return Reading(clean_text(row.value("tier1")), clean_text(row.value("tier2")),
                   clean_text(row.value("tier3")), operator, operator_text, target.operator,
                   number, target.word, unit, unit_text, target.unit, fraction)


def rows(wb: ReadWorkbook) -> list:
    """(project sheet, row, reading) for every used indicator row of every used project,
    read once for all the rules."""
    found = wb.memo.get("rows")
    if found is None:
        spec = wb.spec
        found = wb.memo["rows"] = [
            (p, row, interpret(row, spec)) for p in wb.projects if p.used
            for row in p.indicators if not row.note]   # a note in a spare row is XT110's
    return found


def project_readings(wb: ReadWorkbook, p) -> list:
    """(row, reading) of every indicator row of a project (made once for all rules)."""
    memo = wb.memo.setdefault("project_readings", {})
    found = memo.get(p.name)
    if found is None:
        found = memo[p.name] = [(row, interpret(row, wb.spec)) for row in p.indicators]
    return found


def project_rows(wb: ReadWorkbook) -> list:
    """(sheet name, row, reading) of the project sheets."""
    found = wb.memo.get("project_rows")
    if found is None:
        found = wb.memo["project_rows"] = [(p.name, row, r) for p, row, r in rows(wb)]
    return found


def dept_rows(wb: ReadWorkbook):
    """(sheet name, row, reading) of the 部门整体绩效目标 sheet, when the workbook has one."""
    if wb.dept is not None:
        for row in wb.dept.indicators:
            yield wb.dept.name, row, interpret(row, wb.spec)


def row_check(name: str, *, keys=(), params=NoParams):
    """Register fn(wb, params, rows, framework) as `name` (project sheets) and `dept_name`
    (the 部门整体绩效目标 sheet)."""
    def register(fn):
        def on_projects(wb, p):
            return fn(wb, p, project_rows(wb), wb.framework)

        def on_dept(wb, p):
            if wb.dept is None or wb.dept_framework is None:
                return iter(())
            return fn(wb, p, dept_rows(wb), wb.dept_framework)
        return check_twice(name, fn, on_projects, on_dept, "部门整体绩效目标: ", keys=keys,
                           params=params)
    return register


@row_check("tier1_known", keys={"value", "allowed"})
def tier1_known(wb: ReadWorkbook, _, source, framework):
    """一级指标 is not one of the framework's."""
    allowed = framework.tier1_names
    for sheet, row, r in source:
        if r.tier1 and r.tier1 not in allowed:
            yield Finding(sheet, row.ref("tier1"), {"value": display(r.tier1),
                                                    "allowed": "、".join(allowed)})


@row_check("tier2_belongs", keys={"value", "tier1", "allowed"})
def tier2_belongs(wb: ReadWorkbook, _, source, framework):
    """二级指标 does not belong to the 一级指标 of its row."""
    for sheet, row, r in source:
        children = framework.children_of(r.tier1)
        if r.tier2 and children and r.tier2 not in children:
            yield Finding(sheet, row.ref("tier2"), {"value": display(r.tier2), "tier1": r.tier1,
                                                    "allowed": "、".join(children)})


class TiersParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    tiers: list[str] | None = None   # None: what the framework marks required


@check("tier1_present", keys={"tier1"}, params=TiersParams)
def tier1_present(wb: ReadWorkbook, params: TiersParams):
    """A project has no indicator under a required 一级指标."""
    required = params.tiers or [t.name for t in wb.framework.tiers if t.required]
    for p in wb.projects:
        if p.used and p.indicators:
            have = {r.tier1 for _, r in project_readings(wb, p)}
            for name in required:
                if name not in have:
                    yield Finding(p.name, p.body.a1, {"tier1": name})


@check("tier2_present", keys={"tier2", "tier1"}, params=TiersParams)
def tier2_present(wb: ReadWorkbook, params: TiersParams):
    """A project has no indicator under a required 二级指标."""
    parents = {c.name: t.name for t in wb.framework.tiers for c in t.children}
    required = params.tiers or [c.name for t in wb.framework.tiers for c in t.children
                                if c.required]
    for p in wb.projects:
        if p.used and p.indicators:
            have = {r.tier2 for _, r in project_readings(wb, p)}
            for name in required:
                if name not in have:
                    yield Finding(p.name, p.body.a1, {"tier2": name,
                                                      "tier1": parents.get(name, "")})


@row_check("operator_known", keys={"value"})
def operator_known(wb: ReadWorkbook, _, source, framework):
    """符号 is not one of ≥ ≤ = > < 定性."""
    for sheet, row, r in source:
        if r.operator_text and r.operator is None:
            yield Finding(sheet, row.ref("operator"), {"value": display(r.operator_text)})


@row_check("operator_conflict", keys={"written", "chosen"})
def operator_conflict(wb: ReadWorkbook, _, source, framework):
    """The value carries an operator that contradicts the 符号 column."""
    for sheet, row, r in source:
        if r.written_operator and r.operator and r.written_operator != r.operator:
            yield Finding(sheet, row.ref("value"), {"written": r.written_operator,
                                                    "chosen": r.operator})


@row_check("value_number", keys={"value"})
def value_number(wb: ReadWorkbook, _, source, framework):
    """A quantitative value is not a number."""
    for sheet, row, r in source:
        if not r.qualitative and r.number is None and not row.is_blank("value") \
                and r.word not in wb.spec.lists.qualitative:
            yield Finding(sheet, row.ref("value"), {"value": display(row.value("value"))})


@row_check("qualitative_value", keys={"value", "allowed"})
def qualitative_value(wb: ReadWorkbook, _, source, framework):
    """A qualitative value (符号 定性) is not one of 优 良 中 差 是 否."""
    allowed = wb.spec.lists.qualitative
    for sheet, row, r in source:
        if r.qualitative and not row.is_blank("value") and r.word not in allowed:
            yield Finding(sheet, row.ref("value"), {"value": display(row.value("value")),
                                                    "allowed": "、".join(allowed)})


@row_check("qualitative_operator", keys={"value"})
def qualitative_operator(wb: ReadWorkbook, _, source, framework):
    """A qualitative word (优, 是, …) is given as a value without choosing 符号 定性."""
    for sheet, row, r in source:
        if r.word in wb.spec.lists.qualitative and r.operator != QUALITATIVE:
            yield Finding(sheet, row.ref("operator"), {"value": r.word})


@row_check("unit_known", keys={"value"})
def unit_known(wb: ReadWorkbook, _, source, framework):
    """计量单位 is not one of the list."""
    for sheet, row, r in source:
        if r.unit_text and r.unit is None and not r.qualitative:
            yield Finding(sheet, row.ref("unit"), {"value": display(r.unit_text)})


@row_check("unit_conflict", keys={"written", "chosen", "how", "fix"})
def unit_conflict(wb: ReadWorkbook, _, source, framework):
    """The value carries a unit that contradicts the 计量单位 column: typed with the value, or
    given by the cell's percentage format (a row inserted below a percentage row takes it)."""
    for sheet, row, r in source:
        if r.written_unit and r.unit_text and r.unit and r.written_unit != r.unit:
            if isinstance(row.value("value"), str):
                how, fix = f"中写了单位“{r.written_unit}”", "指标值只填数字"
            else:   # a number: its unit can only come from the cell's format
                shown = f"{number_text(r.number)}%" if r.number is not None else ""
                how = f"的单元格是百分比格式（显示为 {shown}）" if shown else "的单元格是百分比格式"
                fix = "请把该单元格的格式改为“常规”，再填数字"
            yield Finding(sheet, row.ref("value"), {"written": r.written_unit,
                                                    "chosen": r.unit, "how": how, "fix": fix})


@row_check("percent_range", keys={"value"})
def percent_range(wb: ReadWorkbook, _, source, framework):
    """A percentage is outside 0–100."""
    for sheet, row, r in source:
        if r.unit == PERCENT_UNIT and r.number is not None and not 0 <= r.number <= 100:
            yield Finding(sheet, row.ref("value"), {"value": format(r.number, "f")})


class ThresholdParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    threshold: Decimal = Decimal(90)


@row_check("satisfaction_threshold", keys={"value", "threshold"}, params=ThresholdParams)
def satisfaction_threshold(wb: ReadWorkbook, params: ThresholdParams, source, framework):
    """A satisfaction target is below the threshold (90% by default)."""
    satisfaction = {c.name for t in framework.tiers for c in t.children if c.satisfaction}
    for sheet, row, r in source:
        if r.tier2 in satisfaction and r.unit == PERCENT_UNIT and r.number is not None \
                and r.operator in ("≥", ">", "=") and r.number < params.threshold \
                and not r.fraction:   # ≥0.95 百分比 is XT109's: 95% mistyped
            yield Finding(sheet, row.ref("value"), {"value": format(r.number, "f"),
                                                    "threshold": format(params.threshold, "f")})


@check("percent_fraction", keys={"value", "percent"})
def percent_fraction(wb: ReadWorkbook, _):
    """A percentage between 0 and 1 (≥0.95 百分比): almost surely 95% typed as a fraction."""
    for p, row, r in rows(wb):
        if r.fraction:
            yield Finding(p.name, row.ref("value"), {
                "value": format(r.number, "f"),
                "percent": number_text(r.number * 100)})


@check("duplicate_tier3", keys={"value", "first"})
def duplicate_tier3(wb: ReadWorkbook, _):
    """The same 三级指标 appears twice in one project."""
    for p in wb.projects:
        seen: dict[str, str] = {}
        for row, r in project_readings(wb, p):
            name = r.tier3
            if not name:
                continue
            if name in seen:
                yield Finding(p.name, row.ref("tier3"), {"value": display(name),
                                                         "first": seen[name]})
            else:
                seen[name] = row.ref("tier3")
