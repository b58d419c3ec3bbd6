"""What a return says, as the deliverables need it: typed values, nothing about cells.

Built once from the reader's model (with the checks' own interpretation of values, so the
export reads a cell exactly as the checker did); the consolidated table, the CSV files and the
Word document are all written from these objects, never by reading cells again.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal
from typing import TYPE_CHECKING

from ..check.checks.budget import amount
from ..check.checks.completeness import used_projects
from ..check.checks.indicators import interpret
from ..check.checks.plan import plan_values
from ..read.reader import ReadWorkbook
from ..values import PERCENT_UNIT, QUALITATIVE, clean_text, number_text

if TYPE_CHECKING:
    from .dept import Dept

QUANTITATIVE_KIND = "定量"
QUALITATIVE_KIND = "定性"


@dataclass(frozen=True)
class Indicator:
    tier1: str
    tier2: str
    tier3: str
    description: str
    operator: str            # ≥ ≤ = > < or 定性; "" when missing
    value: Decimal | str | None   # a number, or a word (优) for a qualitative indicator
    unit: str                # "" when none
    basis: str

    @property
    def kind(self) -> str:
        return QUALITATIVE_KIND if self.operator == QUALITATIVE or isinstance(self.value, str) \
            else QUANTITATIVE_KIND

    @property
    def printed(self) -> str:
        """指标值 as the published tables print it: ≥95百分比, ≥2次, 优."""
        if self.value is None:
            return ""
        if isinstance(self.value, str):
            return self.value
        op = "" if self.operator == QUALITATIVE else self.operator
        return f"{op}{number_text(self.value)}{self.unit}"


@dataclass(frozen=True)
class Project:
    sheet: str
    code: str
    name: str
    total: Decimal | None
    fiscal: Decimal | None
    other: Decimal | None
    purpose: str
    plan: tuple[Decimal | None, ...]     # percent at each checkpoint
    goal: str
    indicators: tuple[Indicator, ...]


@dataclass
class UnitTargets:
    """One unit's targets from the return that counts."""
    code: str
    name: str
    file: str
    status: str              # ok | warnings | errors (the check's)
    digest: str
    checkpoints: tuple[str, ...]
    year: int | None = None
    dept: "Dept | None" = None   # Part 1 (部门整体绩效目标), when the workbook has it
    projects: list[Project] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    contact: str = ""        # the cover's 联系人 and 联系电话, as the unit gave them
    phone: str = ""


def amount_text(number: Decimal | None) -> str:
    """An amount as the published tables print it: 20000.00 (no grouping)."""
    return "" if number is None else format(number.quantize(Decimal("0.01")), "f")


def _text(cell) -> str:
    return clean_text(cell.value)


# Every character that may be invisible formatting (Unicode category Cf: soft hyphen, zero
# width space, direction marks, BOM, tags...), and a few unassigned neighbours: text without
# any of them (nearly all text) needs no look at each character
MAYBE_INVISIBLE = re.compile(
    "[\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]")
# the characters str.splitlines() splits at
LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _visible(text: str) -> str:
    if text.isascii() or MAYBE_INVISIBLE.search(text) is None:
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def prose(value: object) -> str:
    """Text as the township wrote it for publishing: full-width punctuation kept (no NFKC),
    invisible characters dropped, each line trimmed, empty lines dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _prose(str(value))


@lru_cache(maxsize=4096)
def _prose(text: str) -> str:
    """prose of a text. Cached: the same texts recur (bases, units, descriptions), and a
    recurring text is then one object, which pickle sends from a worker only once."""
    text = _visible(text)
    if LINE_BREAK.search(text) is None:   # one line (most values)
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# indicator rows already made in this process, by their reading and the text of their other
# cells (townships copy the same indicators): (reading, indicator), the reading kept so that
# its id stays its own
_made: dict[tuple, tuple] = {}
_TEXT_KEYS = ("tier3", "description", "basis")


def indicators_of(wb: ReadWorkbook, project) -> tuple[Indicator, ...]:
    out = []
    for row in project.indicators:
        r = interpret(row, wb.spec)
        texts = row.values(_TEXT_KEYS)
        key = (id(r), *[(type(v), v) for v in texts])
        try:
            made = _made.get(key)
        except TypeError:   # a cell value that is no key
            out.append(_indicator(r, *texts))
            continue
        if made is None or made[0] is not r:
            if len(_made) > 50_000:
                _made.clear()
            made = _made[key] = (r, _indicator(r, *texts))
        out.append(made[1])
    return tuple(out)


def _indicator(r, tier3: object, description: object, basis: object) -> Indicator:
    value: Decimal | str | None = r.number if r.number is not None else r.word
    operator = r.operator or r.operator_text
    unit = r.unit or r.unit_text
    if r.number is not None and unit == "" and r.written_unit:
        unit = r.written_unit
    if isinstance(value, str) and operator == "":
        operator = QUALITATIVE
    return Indicator(r.tier1, r.tier2, prose(tier3), prose(description), operator, value,
                     unit if value is not None and not isinstance(value, str) else "",
                     prose(basis))


def project_of(wb: ReadWorkbook, project) -> Project:
    f = project.fields
    plan = {name: number for name, _, number in plan_values(wb, project)}
    return Project(
        sheet=project.name, code=_text(f["project_code"]), name=prose(f["project_name"].value),
        total=amount(f["budget_total"]), fiscal=amount(f["budget_fiscal"]),
        other=amount(f["budget_other"]), purpose=prose(f["purpose"].value),
        plan=tuple(plan.get(name) for name in wb.spec.checkpoints), goal=prose(f["goal"].value),
        indicators=indicators_of(wb, project))


def unit_targets(wb: ReadWorkbook, *, file: str, status: str, errors: int = 0,
                 warnings: int = 0) -> UnitTargets:
    """The typed targets of one return (a workbook the reader understood)."""
    from .dept import dept_of   # dept builds on this module's Indicator

    meta = wb.meta
    return UnitTargets(
        code=wb.unit_code or "", name=wb.unit_name or "", file=file, status=status,
        digest=meta.digest if meta is not None else "",
        checkpoints=tuple(wb.spec.checkpoints) if wb.spec else (),
        year=meta.year if meta is not None else None,
        dept=dept_of(wb),
        projects=[project_of(wb, p) for p in used_projects(wb)] if wb.spec else [],
        errors=errors, warnings=warnings,
        contact=_cover(wb, "contact"), phone=_cover(wb, "phone"))


def _cover(wb: ReadWorkbook, key: str) -> str:
    cell = wb.cover.get(key)
    return "" if cell is None else prose(cell.value).replace("\n", " ")


__all__ = ["Indicator", "Project", "UnitTargets", "unit_targets", "amount_text", "number_text",
           "PERCENT_UNIT"]
