"""The indicator table: tiers from the framework, operators, values, units, duplicates."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from ...read.reader import IndicatorRow, ReadWorkbook
from ...template.spec import TemplateSpec
from ...values import (PERCENT_UNIT, QUALITATIVE, UNKNOWN_FORMAT, clean_text, display,
                      is_no_unit, normalise_operator, normalise_unit, split_target)
from .registry import Finding, check


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

    @property
    def is_word(self) -> bool:
        """The value is a qualitative word such as 优 or 是."""
        return self.number is None and self.word is not None
    @property
    def qualitative(self) -> bool:
        return self.operator == QUALITATIVE


def interpret(row: IndicatorRow, spec: TemplateSpec) -> Reading:
    if row.reading is None:
        row.reading = _interpret(row, spec)
    return row.reading


def _interpret(row: IndicatorRow, spec: TemplateSpec) -> Reading:
    value = row["value"]
    target = split_target(value.value, value.number_format, spec.lists.units)
    operator_text = clean_text(row["operator"].value)
    operator = normalise_operator(operator_text) if operator_text else target.operator
    unit_text = "" if is_no_unit(row["unit"].value) else clean_text(row["unit"].value)
    unit = normalise_unit(unit_text, spec.lists.units) if unit_text else target.unit
    number = target.number
    if value.number_format == UNKNOWN_FORMAT and unit == PERCENT_UNIT and number is not None \
            and 0 < number <= 1 and operator in ("≥", ">") and target.unit is None:
        number = number * 100   # "95%" typed in Excel, saved as .xls/.ods: 0.95, format lost
    return Reading(clean_text(row["tier1"].value), clean_text(row["tier2"].value),
                   clean_text(row["tier3"].value), operator, operator_text, target.operator,
                   number, target.word, unit, unit_text, target.unit)


def rows(wb: ReadWorkbook):
    """(project sheet, row, reading) for every used indicator row of every used project."""
    for p in wb.projects:
        if p.used:
            for row in p.indicators:
                yield p, row, interpret(row, wb.spec)


@check("tier1_known", keys={"value", "allowed"})
def tier1_known(wb: ReadWorkbook, _):
    """一级指标 is not one of the framework's."""
    allowed = wb.framework.tier1_names
    for p, row, r in rows(wb):
        if r.tier1 and r.tier1 not in allowed:
            yield Finding(p.name, row["tier1"].ref, {"value": display(r.tier1),
                                                     "allowed": "、".join(allowed)})


@check("tier2_belongs", keys={"value", "tier1", "allowed"})
def tier2_belongs(wb: ReadWorkbook, _):
    """二级指标 does not belong to the 一级指标 of its row."""
    for p, row, r in rows(wb):
        children = wb.framework.children_of(r.tier1)
        if r.tier2 and children and r.tier2 not in children:
            yield Finding(p.name, row["tier2"].ref, {"value": display(r.tier2), "tier1": r.tier1,
                                                     "allowed": "、".join(children)})


class TiersParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    tiers: list[str] | None = None   # None: what the framework marks required


@check("tier1_present", keys={"tier1"}, params=TiersParams)
def tier1_present(wb: ReadWorkbook, params: TiersParams):
    """A project has no indicator under a required 一级指标."""
    required = params.tiers or [t.name for t in wb.framework.tiers if t.required]
    for p in wb.projects:
        if p.used and p.indicators:
            have = {clean_text(row["tier1"].value) for row in p.indicators}
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
            have = {clean_text(row["tier2"].value) for row in p.indicators}
            for name in required:
                if name not in have:
                    yield Finding(p.name, p.body.a1, {"tier2": name,
                                                      "tier1": parents.get(name, "")})


@check("operator_known", keys={"value"})
def operator_known(wb: ReadWorkbook, _):
    """符号 is not one of ≥ ≤ = > < 定性."""
    for p, row, r in rows(wb):
        if r.operator_text and r.operator is None:
            yield Finding(p.name, row["operator"].ref, {"value": display(r.operator_text)})


@check("operator_conflict", keys={"written", "chosen"})
def operator_conflict(wb: ReadWorkbook, _):
    """The value carries an operator that contradicts the 符号 column."""
    for p, row, r in rows(wb):
        if r.written_operator and r.operator and r.written_operator != r.operator:
            yield Finding(p.name, row["value"].ref, {"written": r.written_operator,
                                                     "chosen": r.operator})


@check("value_number", keys={"value"})
def value_number(wb: ReadWorkbook, _):
    """A quantitative value is not a number."""
    for p, row, r in rows(wb):
        if not r.qualitative and r.number is None and not row["value"].blank \
                and r.word not in wb.spec.lists.qualitative:
            yield Finding(p.name, row["value"].ref, {"value": display(row["value"].value)})


@check("qualitative_value", keys={"value", "allowed"})
def qualitative_value(wb: ReadWorkbook, _):
    """A qualitative value (符号 定性) is not one of 优 良 中 差 是 否."""
    allowed = wb.spec.lists.qualitative
    for p, row, r in rows(wb):
        if r.qualitative and not row["value"].blank and r.word not in allowed:
            yield Finding(p.name, row["value"].ref, {"value": display(row["value"].value),
                                                     "allowed": "、".join(allowed)})


@check("qualitative_operator", keys={"value"})
def qualitative_operator(wb: ReadWorkbook, _):
    """A qualitative word (优, 是, …) is given as a value without choosing 符号 定性."""
    for p, row, r in rows(wb):
        if r.word in wb.spec.lists.qualitative and r.operator != QUALITATIVE:
            yield Finding(p.name, row["operator"].ref, {"value": r.word})


@check("unit_known", keys={"value"})
def unit_known(wb: ReadWorkbook, _):
    """计量单位 is not one of the list."""
    for p, row, r in rows(wb):
        if r.unit_text and r.unit is None and not r.qualitative:
            yield Finding(p.name, row["unit"].ref, {"value": display(r.unit_text)})


@check("unit_conflict", keys={"written", "chosen"})
def unit_conflict(wb: ReadWorkbook, _):
    """The value carries a unit that contradicts the 计量单位 column."""
    for p, row, r in rows(wb):
        if r.written_unit and r.unit_text and r.unit and r.written_unit != r.unit:
            yield Finding(p.name, row["value"].ref, {"written": r.written_unit,
                                                     "chosen": r.unit})


@check("percent_range", keys={"value"})
def percent_range(wb: ReadWorkbook, _):
    """A percentage is outside 0–100."""
    for p, row, r in rows(wb):
        if r.unit == PERCENT_UNIT and r.number is not None and not 0 <= r.number <= 100:
            yield Finding(p.name, row["value"].ref, {"value": format(r.number, "f")})


class ThresholdParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    threshold: Decimal = Decimal(90)


@check("satisfaction_threshold", keys={"value", "threshold"}, params=ThresholdParams)
def satisfaction_threshold(wb: ReadWorkbook, params: ThresholdParams):
    """A satisfaction target is below the threshold (90% by default)."""
    satisfaction = {c.name for t in wb.framework.tiers for c in t.children if c.satisfaction}
    for p, row, r in rows(wb):
        if r.tier2 in satisfaction and r.unit == PERCENT_UNIT and r.number is not None \
                and r.operator in ("≥", ">", "=") and r.number < params.threshold:
            yield Finding(p.name, row["value"].ref, {"value": format(r.number, "f"),
                                                     "threshold": format(params.threshold, "f")})


@check("duplicate_tier3", keys={"value", "first"})
def duplicate_tier3(wb: ReadWorkbook, _):
    """The same 三级指标 appears twice in one project."""
    for p in wb.projects:
        seen: dict[str, str] = {}
        for row in p.indicators:
            name = clean_text(row["tier3"].value)
            if not name:
                continue
            if name in seen:
                yield Finding(p.name, row["tier3"].ref, {"value": display(name),
                                                         "first": seen[name]})
            else:
                seen[name] = row["tier3"].ref
