"""Carry-over: pre-fill new workbooks' input cells from the latest returns of the same units.

For a re-issue after budgets changed, or next year's round: each new workbook's project sheet
gets the spending plan, goal, indicators (and the use of funds when the list leaves it open)
of the project with the same 项目编码 in the unit's latest return; its cover gets the contact
person and phone (联系人/联系电话) where the new list leaves them open. The county's pre-filled
values still come from the new list; the identity and its digest are untouched (they cover
only what the county pre-filled). What could not be matched is listed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..check.checker import check_and_extract, find_returns
from ..read.reader import read_workbook
from ..report.summary import unit_rows
from ..template.fill import fill_workbook
from ..template.generate import Batch
from ..workers import Workers
from .collect import chosen_targets, targets_of_read
from .dept import Dept
from .model import Indicator, Project, UnitTargets
from ..values import QUALITATIVE


@dataclass(frozen=True)
class Unmatched:
    unit_code: str
    unit_name: str
    project: str        # "项目编码 项目名称", or "" for the whole unit
    reason: str


@dataclass
class CarryResult:
    filled_units: int = 0
    filled_projects: int = 0
    filled_dept: int = 0
    filled_contacts: int = 0     # units whose 联系人/联系电话 were carried
    unmatched: list[Unmatched] = field(default_factory=list)


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def indicator_cells(i: Indicator) -> list:
    """An indicator as the form's eight input columns."""
    if isinstance(i.value, str) or i.operator == QUALITATIVE:
        return [i.tier1, i.tier2, i.tier3, i.description, QUALITATIVE,
                i.value if isinstance(i.value, str) else _number(i.value), None, i.basis]
    return [i.tier1, i.tier2, i.tier3, i.description, i.operator or None, _number(i.value),
            i.unit or None, i.basis]


def _sheet_values(old: Project, purpose_open: bool, rows: int) -> dict:
    values = {"plan": [_number(v) for v in old.plan],
              "fields": {"goal": old.goal or None},
              "indicators": [indicator_cells(i) for i in old.indicators[:rows]]}
    if purpose_open and old.purpose:
        values["fields"]["purpose"] = old.purpose
    return values


def dept_values(old: Dept, spec) -> dict:
    """Part 1 of a return as fill_workbook(dept=...) takes it (within the sheet's tables)."""
    d = spec.dept
    areas = [[a.name, a.goal or None] for a in old.areas[:d.areas.rows]]
    rows = [[i.area, *indicator_cells(i.indicator)[:3], *indicator_cells(i.indicator)[4:]]
            for i in old.indicators[:d.indicators.rows]]
    return {"fields": {"goal": old.goal or None, "measures": old.measures or None},
            "areas": areas, "indicators": rows}


CONTACT_FIELDS = {"contact": "联系人", "phone": "联系电话"}


def contact_values(wb, old: UnitTargets) -> tuple[dict, list[str]]:
    """The cover's contact and phone to carry where the new workbook leaves them open, and
    the labels of those the old return did not give either."""
    values, missing = {}, []
    for key, label in CONTACT_FIELDS.items():
        cell = wb.cover.get(key)
        if cell is None or not cell.blank:
            continue            # not on this template, or given by the new list
        value = getattr(old, key)
        if value:
            values[key] = value
        else:
            missing.append(label)
    return values, missing


def latest_targets(returns: list[Path], workers: Workers) -> dict[str, UnitTargets]:
    """Per unit, the typed targets of its latest return (the one the 汇总 would count)."""
    report, read = check_and_extract(returns, targets_of_read, workers=workers)
    chosen = [row.counted for row in unit_rows(report, None) if row.counted is not None]
    results = chosen_targets(chosen, read, workers)
    return {t.code: t for t in results if isinstance(t, UnitTargets)}


def carry_over(batch: Batch, returns: list[Path], workers: Workers | None = None
               ) -> CarryResult:
    """Fill the batch's workbooks (in place, atomically) from the latest returns."""
    workers = workers or Workers(1)
    previous = latest_targets(returns, workers) if find_returns(returns) else {}
    result = CarryResult()
    for g in batch.files:
        if not g.unit_code:
            continue
        old = previous.get(g.unit_code)
        path = batch.out_dir / g.file
        if old is None:
            result.unmatched.append(Unmatched(g.unit_code, g.unit_name or "", "",
                                              "没有找到该单位以前报回的表格，未预填。"))
            continue
        wb = read_workbook(path)
        rows = wb.spec.indicator_rows
        by_code = {p.code: p for p in old.projects if p.code}
        fills, used = {}, set()
        for sheet in wb.projects:
            code = str(sheet.fields["project_code"].value or "").strip()
            if not sheet.prefilled or not code:
                continue
            name = str(sheet.fields["project_name"].value or "")
            match = by_code.get(code)
            if match is None:
                result.unmatched.append(Unmatched(g.unit_code, g.unit_name or "",
                                                  f"{code} {name}",
                                                  "以前报回的表格中没有这个项目编码（新增项目），未预填。"))
                continue
            used.add(code)
            fills[sheet.name] = _sheet_values(match, sheet.fields["purpose"].blank, rows)
            if len(match.indicators) > rows:
                result.unmatched.append(Unmatched(
                    g.unit_code, g.unit_name or "", f"{code} {name}",
                    f"原有 {len(match.indicators)} 个指标，表格只有 {rows} 行，只预填了前 {rows} 个。"))
        for code, p in by_code.items():
            if code not in used:
                result.unmatched.append(Unmatched(g.unit_code, g.unit_name or "",
                                                  f"{code} {p.name}",
                                                  f"新名单中没有这个项目，其内容未带入（见 {old.file}）。"))
        dept = None
        if getattr(wb, "dept", None) is not None and old.dept is not None and not old.dept.empty:
            dept = dept_values(old.dept, wb.spec)
            d = wb.spec.dept
            if len(old.dept.areas) > d.areas.rows or len(old.dept.indicators) > d.indicators.rows:
                result.unmatched.append(Unmatched(
                    g.unit_code, g.unit_name or "", "部门整体绩效目标",
                    f"原有 {len(old.dept.areas)} 个分项、{len(old.dept.indicators)} 个指标，表格只有 "
                    f"{d.areas.rows} 行分项、{d.indicators.rows} 行指标，多出的未预填。"))
        elif getattr(wb, "dept", None) is not None:
            result.unmatched.append(Unmatched(g.unit_code, g.unit_name or "", "部门整体绩效目标",
                                              "以前报回的表格中没有部门整体绩效目标，未预填。"))
        cover, missing = contact_values(wb, old)
        if missing:
            result.unmatched.append(Unmatched(
                g.unit_code, g.unit_name or "", "、".join(missing),
                f"以前报回的表格（{old.file}）中没有填写{'和'.join(missing)}，未预填。"))
        if fills or dept or cover:
            fill_workbook(path, path, cover=cover, projects=fills, dept=dept)
            result.filled_units += 1
            result.filled_projects += len(fills)
            result.filled_dept += dept is not None
            result.filled_contacts += bool(cover)
    return result
