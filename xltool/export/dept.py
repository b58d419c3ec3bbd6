"""Part 1 (部门整体绩效目标) of a return, typed, and its lines in the published document.

Read from the reader's department sheet (ReadWorkbook.dept) with the project checks' own
interpretation of indicator values, so a value is read the same way everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..check.checks.indicators import interpret
from ..read.reader import ReadWorkbook
from ..values import PERCENT_UNIT, QUALITATIVE, to_decimal
from .model import Indicator, number_text, prose


@dataclass(frozen=True)
class Area:
    name: str
    goal: str


@dataclass(frozen=True)
class DeptIndicator:
    area: str
    indicator: Indicator

    @property
    def printed(self) -> str:
        """As the published Part 1 writes it: 完成情况≥90%, 完成情况：优."""
        i = self.indicator
        if i.value is None:
            return i.tier3
        if isinstance(i.value, str):
            return f"{i.tier3}：{i.value}"
        unit = "%" if i.unit == PERCENT_UNIT else i.unit
        op = "" if i.operator == QUALITATIVE else i.operator
        return f"{i.tier3}{op}{number_text(i.value)}{unit}"


@dataclass(frozen=True)
class Dept:
    total: Decimal | None
    basic: Decimal | None
    goal: str
    measures: str
    areas: tuple[Area, ...]
    indicators: tuple[DeptIndicator, ...]

    def of_area(self, name: str) -> list[DeptIndicator]:
        return [i for i in self.indicators if i.area == name]

    @property
    def empty(self) -> bool:
        return not (self.goal or self.measures or self.areas or self.indicators)


def _long(cell) -> str:
    return "" if cell is None else prose(cell.value)


def dept_of(wb: ReadWorkbook) -> Dept | None:
    """The department part of a return, or None when its workbook has none."""
    sheet = getattr(wb, "dept", None)
    if sheet is None or wb.spec is None:
        return None
    fields = sheet.fields
    areas = tuple(Area(prose(a.name.value), _long(a.goal)) for a in sheet.areas)
    indicators = []
    for row in sheet.indicators:
        r = interpret(row, wb.spec)
        value: Decimal | str | None = r.number if r.number is not None else r.word
        operator = r.operator or r.operator_text or (QUALITATIVE if isinstance(value, str)
                                                     else "")
        unit = (r.unit or r.unit_text or r.written_unit or "") \
            if isinstance(value, Decimal) else ""
        indicators.append(DeptIndicator(prose(row.value("area")), Indicator(
            r.tier1, r.tier2, prose(row.value("tier3")), "", operator, value, unit,
            prose(row.value("basis")))))
    amount = fields.get("budget_total")
    basic = fields.get("budget_basic")
    return Dept(total=to_decimal(amount.value) if amount is not None else None,
                basic=to_decimal(basic.value) if basic is not None else None,
                goal=_long(fields.get("goal")), measures=_long(fields.get("measures")),
                areas=areas, indicators=tuple(indicators))


def indicator_sentence(items: list[DeptIndicator]) -> str:
    """绩效指标：A≥90%，A：优；B≥90%，B：优。 — a qualitative indicator right after a
    quantitative one is its pair (joined by "，"); pairs and single indicators by "；"."""
    out = ""
    for n, item in enumerate(items):
        if n:
            prev = items[n - 1].indicator
            paired = isinstance(item.indicator.value, str) and not isinstance(prev.value, str)
            out += "，" if paired else "；"
        out += item.printed
    return out + "。" if out else ""
