"""The cumulative spending plan (资金支出计划): numbers 0–100, never decreasing, 100 at the end."""
from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from ..reader import ReadWorkbook
from ..values import display, to_decimal
from .completeness import used_projects
from .registry import Finding, check


def plan_values(wb: ReadWorkbook, project):
    """(checkpoint, cell, percent or None) for every non-blank checkpoint."""
    for name, cell in zip(wb.spec.checkpoints, project.plan):
        if not cell.blank:
            yield name, cell, to_decimal(cell.value, cell.number_format, percent=True)


def fmt(number: Decimal) -> str:
    return format(number.normalize(), "f")


@check("plan_number", keys={"checkpoint", "value"})
def plan_number(wb: ReadWorkbook, _):
    """A checkpoint is not a number between 0 and 100."""
    for p in used_projects(wb):
        for name, cell, number in plan_values(wb, p):
            if number is None or not 0 <= number <= 100:
                yield Finding(p.name, cell.ref, {"checkpoint": name, "value": display(cell.value)})


@check("plan_cumulative", keys={"checkpoint", "value", "previous", "previous_value"})
def plan_cumulative(wb: ReadWorkbook, _):
    """A checkpoint is lower than the one before it (the plan is cumulative)."""
    for p in used_projects(wb):
        last = None
        for name, cell, number in plan_values(wb, p):
            if number is None:
                continue
            if last is not None and number < last[1]:
                yield Finding(p.name, cell.ref, {"checkpoint": name, "value": fmt(number),
                                                 "previous": last[0],
                                                 "previous_value": fmt(last[1])})
            last = (name, number)


class FinalParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    final: Decimal = Decimal(100)


@check("plan_final", keys={"checkpoint", "value", "final"}, params=FinalParams)
def plan_final(wb: ReadWorkbook, params: FinalParams):
    """The last checkpoint (12月底) is not 100."""
    for p in used_projects(wb):
        cell = p.plan[-1]
        number = to_decimal(cell.value, cell.number_format, percent=True)
        if number is not None and number != params.final and 0 <= number <= 100:
            yield Finding(p.name, cell.ref, {"checkpoint": wb.spec.checkpoints[-1],
                                             "value": fmt(number), "final": fmt(params.final)})
