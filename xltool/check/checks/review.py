"""Review checks (审核建议): are the targets any good, not only complete?

Each check fires on clear cases only; the judgements themselves live in targets.py. The checks
of single indicator rows are registered by indicators.row_check for the project sheets and, as
dept_<name>, for the 部门整体绩效目标 sheet; the checks of a group of indicators (a project, or
an area 分项 of Part 1) are registered the same way by group_check below.
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from ...read.reader import ReadWorkbook
from ...values import clean_text, display
from .budget import amount
from .completeness import used_projects
from .indicators import interpret, project_readings, row_check
from .registry import Finding, NoParams, check, check_twice
from .targets import (AMOUNT_UNITS, amount_in_yuan, carries, goal_numbers, is_amount, is_count,
                      is_on_time_rate, is_percent, is_question, is_time, is_yes_no,
                      nearest_basis, target_text)


def _project_groups(wb: ReadWorkbook) -> list:
    """(sheet, group name, [(row, reading)]) per used project (made once for all rules)."""
    found = wb.memo.get("project_groups")
    if found is None:
        found = wb.memo["project_groups"] = [
            (p.name, clean_text(p.fields["project_name"].value), project_readings(wb, p))
            for p in used_projects(wb)]
    return found


def _area_groups(wb: ReadWorkbook):
    """(sheet, area name, [(row, reading)]) per area (所属分项) of the department sheet."""
    if wb.dept is None:
        return
    areas: dict[str, list] = {}
    for row in wb.dept.indicators:
        areas.setdefault(clean_text(row.value("area")), []).append(
            (row, interpret(row, wb.spec)))
    for name, rows in areas.items():
        yield wb.dept.name, name, rows


def group_check(name: str, *, keys=(), params=NoParams):
    """Register fn(wb, params, groups) as `name` (per project) and `dept_name` (per area)."""
    def register(fn):
        def on_projects(wb, p):
            return fn(wb, p, _project_groups(wb))

        def on_dept(wb, p):
            return fn(wb, p, _area_groups(wb))
        return check_twice(name, fn, on_projects, on_dept, "部门整体绩效目标 (per area): ",
                           keys=keys, params=params)
    return register


def _judgeable(row, r) -> bool:
    """A value that was understood: a number in a known unit, or a 定性 word. What cannot be
    read is for the XT5xx rules to report, not for a review."""
    if row.is_blank("value") or (r.unit_text and r.unit is None):
        return False
    return r.number is not None or (r.qualitative and r.word is not None)


class CostParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    tiers: list[str] = Field(default_factory=lambda: ["成本指标", "经济成本指标"])


@row_check("cost_unit", keys={"tier3", "target"}, params=CostParams)
def cost_unit(wb: ReadWorkbook, params: CostParams, source, framework):
    """A cost indicator (成本指标) is not an amount in 元 or 万元."""
    for sheet, row, r in source:
        if r.tier2 in params.tiers and _judgeable(row, r) and not is_amount(r):
            yield Finding(sheet, row.ref("value"), {"tier3": display(r.tier3),
                                                    "target": target_text(r)})


@check("cost_over_budget", keys={"tier3", "target", "limit_name", "limit"}, params=CostParams)
def cost_over_budget(wb: ReadWorkbook, params: CostParams):
    """A cost indicator is above the project's 预算数 (or above 财政资金 when its basis is
    预算支出标准)."""
    for p in used_projects(wb):
        total, fiscal = amount(p.fields["budget_total"]), amount(p.fields["budget_fiscal"])
        if p.fields["budget_total"].blank or total is None or total <= 0:
            continue
        for row, r in project_readings(wb, p):
            cost = amount_in_yuan(r)
            if r.tier2 not in params.tiers or cost is None:
                continue
            limit = None
            if cost > total:
                limit = ("预算数", total)
            elif clean_text(row.value("basis")) == "预算支出标准" and fiscal is not None \
                    and not p.fields["budget_fiscal"].blank and cost > fiscal:
                limit = ("财政资金", fiscal)
            if limit:
                yield Finding(p.name, row.ref("value"),
                              {"tier3": display(r.tier3), "target": target_text(r),
                               "limit_name": limit[0], "limit": f"{limit[1]:,.2f}"})


@group_check("quantity_percent", keys={"tier3", "target", "group"})
def quantity_percent(wb: ReadWorkbook, _, groups):
    """Every 数量指标 of a project (or area) is a percentage: nothing says how many."""
    for sheet, name, rows in groups:
        quantities = [(row, r) for row, r in rows if r.tier2 == "数量指标"]
        if any(is_count(r) for _, r in quantities):
            continue
        for row, r in quantities:
            if is_percent(r):
                yield Finding(sheet, row.ref("value"), {"tier3": display(r.tier3),
                                                        "target": target_text(r),
                                                        "group": display(name)})


@row_check("timeliness_unit", keys={"tier3", "target"})
def timeliness_unit(wb: ReadWorkbook, _, source, framework):
    """A 时效指标 is neither a time (天, 月, 小时…), a rate of being on time (及时率), nor 是/否."""
    for sheet, row, r in source:
        if r.tier2 != "时效指标" or not _judgeable(row, r) or is_question(r.tier3):
            continue   # a question is the question rule's to report
        desc = clean_text(row.value("description")) if row.has("description") else ""
        if is_time(r) or is_yes_no(r) or is_on_time_rate(r, r.tier3, desc):
            continue
        yield Finding(sheet, row.ref("value"), {"tier3": display(r.tier3),
                                                "target": target_text(r)})


@row_check("satisfaction_percent", keys={"tier3", "target"})
def satisfaction_percent(wb: ReadWorkbook, _, source, framework):
    """A satisfaction indicator is not a percentage."""
    satisfaction = {c.name for t in framework.tiers for c in t.children if c.satisfaction}
    for sheet, row, r in source:
        if r.tier2 in satisfaction and _judgeable(row, r) and not is_percent(r):
            yield Finding(sheet, row.ref("value"), {"tier3": display(r.tier3),
                                                    "target": target_text(r)})


@row_check("question_percent", keys={"tier3", "target"})
def question_percent(wb: ReadWorkbook, _, source, framework):
    """A 三级指标 asked as a yes/no question (是否…) has a percentage as its target."""
    for sheet, row, r in source:
        if is_question(r.tier3) and is_percent(r):
            yield Finding(sheet, row.ref("value"), {"tier3": display(r.tier3),
                                                    "target": target_text(r)})


class UniformParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    min_rows: int = Field(4, ge=2)          # projects with fewer indicators are not judged
    share: Decimal = Field(Decimal("0.8"), gt=0, le=1)   # of the indicators with a value


@group_check("uniform_targets", keys={"same", "total", "target", "group"}, params=UniformParams)
def uniform_targets(wb: ReadWorkbook, params: UniformParams, groups):
    """(Nearly) all indicators of a project (or area) have the same operator, value and unit."""
    for sheet, name, rows in groups:
        valued = [(row, r) for row, r in rows if r.number is not None and r.operator]
        if len(valued) < params.min_rows:
            continue
        counts = Counter((r.operator, r.number, r.unit) for _, r in valued)
        key, same = counts.most_common(1)[0]
        if same >= params.min_rows and Decimal(same) >= params.share * len(valued):
            rows = [row for row, r in valued if (r.operator, r.number, r.unit) == key]
            first, last = rows[0]["value"].ref, rows[-1]["value"].ref
            sample = next(r for _, r in valued if (r.operator, r.number, r.unit) == key)
            yield Finding(sheet, f"{first}:{last}", {"same": same, "total": len(valued),
                                                    "target": target_text(sample),
                                                    "group": display(name)})


@check("tier3_copied", keys={"tier3"})
def tier3_copied(wb: ReadWorkbook, _):
    """绩效指标描述 repeats the 三级指标 word for word: nothing is explained."""
    for p in used_projects(wb):
        for row, r in project_readings(wb, p):
            desc = clean_text(row.value("description"))
            if desc and r.tier3 and desc.replace(" ", "") == r.tier3.replace(" ", ""):
                yield Finding(p.name, row.ref("description"), {"tier3": display(r.tier3)})


class BasesParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    bases: list[str] | None = None          # None: the template's list (the five standard ones)
    cost_tiers: list[str] = Field(default_factory=lambda: ["成本指标", "经济成本指标"])


@row_check("basis_standard", keys={"value", "suggested", "allowed"}, params=BasesParams)
def basis_standard(wb: ReadWorkbook, params: BasesParams, source, framework):
    """指标值确定依据 is not one of the standard bases; the nearest one is suggested."""
    bases = params.bases or wb.spec.lists.bases
    for sheet, row, r in source:
        text = clean_text(row.value("basis"))
        if text and text not in bases:
            yield Finding(sheet, row.ref("basis"), {
                "value": display(text), "allowed": "、".join(bases),
                "suggested": nearest_basis(text, bases, r.tier2 in params.cost_tiers)})


@check("goal_number_unmatched", keys={"numbers"})
def goal_number_unmatched(wb: ReadWorkbook, _):
    """The 绩效目标 names a quantity (12个村, 90%以上) that no indicator carries (an amount
    equal to the project's budget is carried by the budget itself)."""
    for p in used_projects(wb):
        goal = p.fields["goal"]
        if goal.blank:
            continue
        readings = [r for _, r in project_readings(wb, p)]
        budget = {amount(p.fields[k]) for k in ("budget_total", "budget_fiscal")
                  if not p.fields[k].blank}
        missing = [text for text, number, unit in goal_numbers(str(goal.value))
                   if not any(carries(r, number, unit) for r in readings)
                   and not (unit in AMOUNT_UNITS and number * AMOUNT_UNITS[unit] in budget)]
        if missing:
            yield Finding(p.name, goal.ref, {"numbers": "、".join(f"“{m}”" for m in
                                                                  dict.fromkeys(missing))})


@check("goal_without_quantity", keys={"indicators"})
def goal_without_quantity(wb: ReadWorkbook, _):
    """The project's quantity indicators (counts) appear nowhere in its 绩效目标."""
    for p in used_projects(wb):
        goal = p.fields["goal"]
        if goal.blank:
            continue
        counts = [r for _, r in project_readings(wb, p) if r.tier2 == "数量指标" and is_count(r)]
        if not counts:
            continue
        named = goal_numbers(str(goal.value))
        if not any(carries(r, number, unit) for r in counts for _, number, unit in named):
            listed = "、".join(f"{r.tier3}{target_text(r)}" for r in counts[:3])
            yield Finding(p.name, goal.ref, {"indicators": listed})

