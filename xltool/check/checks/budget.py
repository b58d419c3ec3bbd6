"""The budget block: amounts are numbers ≥ 0 and 预算数 = 财政资金 + 其他资金 to the fen."""
from __future__ import annotations

import re

from decimal import Context, Decimal, localcontext

from pydantic import BaseModel, ConfigDict, field_validator

from ...read.reader import ReadWorkbook
from ...values import clean_text, display, to_decimal
from .completeness import used_projects
from .registry import Finding, check

AMOUNTS = ("budget_total", "budget_fiscal", "budget_other")
FEN = Decimal("0.01")


def to_fen(number: Decimal) -> Decimal:
    """Rounded to the fen; a number too long to round (a card number typed as an amount)
    is kept as it is rather than raising."""
    try:
        with localcontext(Context(prec=200)):
            return number.quantize(FEN)
    except ArithmeticError:
        return number


def amount(cell) -> Decimal | None:
    """An amount; a blank 其他资金 counts as 0 (the seed leaves it empty)."""
    return Decimal(0) if cell.blank else to_decimal(cell.value)


@check("amount_number", keys={"field", "value"})
def amount_number(wb: ReadWorkbook, _):
    """An amount is not a number, or is negative."""
    for p in used_projects(wb):
        for key in AMOUNTS:
            cell = p.fields[key]
            if cell.blank:
                continue
            number = to_decimal(cell.value)
            if number is None or number < 0:
                yield Finding(p.name, cell.ref, {"field": wb.spec.project.fields[key].label.text,
                                                 "value": display(cell.value)})


@check("budget_sum", keys={"total", "fiscal", "other"})
def budget_sum(wb: ReadWorkbook, _):
    """预算数 differs from 财政资金 + 其他资金 (to the fen)."""
    for p in used_projects(wb):
        total, fiscal, other = (amount(p.fields[k]) for k in AMOUNTS)
        if p.fields["budget_total"].blank or p.fields["budget_fiscal"].blank \
                or None in (total, fiscal, other):
            continue  # a missing 财政资金 is XT101's to report
        if to_fen(total) != to_fen(fiscal + other):
            yield Finding(p.name, p.fields["budget_total"].ref,
                          {"total": f"{total:,.2f}", "fiscal": f"{fiscal:,.2f}",
                           "other": f"{other:,.2f}"})


class PatternParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value


@check("code_format", keys={"value"}, params=PatternParams)
def code_format(wb: ReadWorkbook, params: PatternParams):
    """A project code does not have the expected form."""
    pattern = re.compile(params.pattern)
    county = {(c.sheet, c.ref) for c in wb.changed}
    for p in used_projects(wb):
        cell = p.fields["project_code"]
        if p.prefilled and (p.name, cell.ref) not in county:
            continue  # the county's own code, unchanged: not the township's to fix
        if not cell.blank and not pattern.fullmatch(clean_text(cell.value)):
            yield Finding(p.name, cell.ref, {"value": display(cell.value)})
