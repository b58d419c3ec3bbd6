"""The cumulative spending plan (资金支出计划): numbers 0–100, never decreasing, 100 at the end."""
from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from ...read.reader import ReadWorkbook
from ...values import UNKNOWN_FORMAT, display, is_percent_format, number_text, to_decimal
from .completeness import used_projects
from .registry import Finding, check


def plan_values(wb: ReadWorkbook, project):
    """(checkpoint, cell, percent or None) for every non-blank checkpoint.

    From .xls/.ods the number formats are unknown: a plan of fractions that ends at exactly 1
    (0.25, 0.5, 0.75, 1) is what "25%"… typed into Excel looks like, and is read as percent.
    """
    memo = wb.memo.setdefault("plan_values", {})
    if project.name in memo:
        return memo[project.name]
    found = [(name, cell, to_decimal(cell.value, cell.number_format, percent=True))
             for name, cell in zip(wb.spec.checkpoints, project.plan) if not cell.blank]
    numbers = [n for _, _, n in found if n is not None]
    unknown = any(c.number_format == UNKNOWN_FORMAT for _, c, _ in found)
    if unknown and numbers and numbers[-1] == 1 and all(0 <= n <= 1 for n in numbers) \
            and found[-1][1] is project.plan[-1]:
        found = [(name, cell, None if n is None else n * 100) for name, cell, n in found]
    memo[project.name] = found
    return found


def shown(cell, number: Decimal | None) -> str:
    """The value as the township sees it on screen."""
    if number is not None and is_percent_format(cell.number_format):
        return number_text(number) + "%"
    return display(cell.value)


@check("plan_number", keys={"checkpoint", "value"})
def plan_number(wb: ReadWorkbook, _):
    """A checkpoint is not a number between 0 and 100."""
    for p in used_projects(wb):
        for name, cell, number in plan_values(wb, p):
            if number is None or not 0 <= number <= 100:
                yield Finding(p.name, cell.ref, {"checkpoint": name, "value": shown(cell, number)})


@check("plan_cumulative", keys={"checkpoint", "value", "previous", "previous_value"})
def plan_cumulative(wb: ReadWorkbook, _):
    """A checkpoint is lower than the one before it (the plan is cumulative)."""
    for p in used_projects(wb):
        last = None
        for name, cell, number in plan_values(wb, p):
            if number is None:
                continue
            if last is not None and number < last[1]:
                yield Finding(p.name, cell.ref, {"checkpoint": name, "value": number_text(number),
                                                 "previous": last[0],
                                                 "previous_value": number_text(last[1])})
            last = (name, number)


class FinalParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    final: Decimal = Decimal(100)


@check("plan_final", keys={"checkpoint", "value", "final"}, params=FinalParams)
def plan_final(wb: ReadWorkbook, params: FinalParams):
    """The last checkpoint (12月底) is not 100."""
    for p in used_projects(wb):
        cell = p.plan[-1]
        last = [n for name, c, n in plan_values(wb, p) if c is cell]
        number = last[0] if last else None
        if number is not None and number != params.final and 0 <= number <= 100:
            yield Finding(p.name, cell.ref, {"checkpoint": wb.spec.checkpoints[-1],
                                             "value": number_text(number),
                                             "final": number_text(params.final)})
