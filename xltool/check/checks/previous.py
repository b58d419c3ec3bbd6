"""Comparing this year's targets with last year's accepted returns (`check --previous DIR`).

Workers check files in separate processes, so a workbook's targets travel as small picklable
ProjectTargets inside its BatchFacts; last year's returns are read into the same shape once, in
the main process. A project is matched by unit and 项目编码, else by unit and the exact 项目名称
(codes are often renewed each year); an indicator by its exact 三级指标.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ...read.reader import ReadWorkbook, Unreadable, read_workbook
from ...values import clean_text, display
from .indicators import interpret
from .registry import Finding, check

RAISING = ("≥", ">")   # targets where a lower number is a weaker target


@dataclass(frozen=True)
class IndicatorTarget:
    ref: str
    tier3: str
    operator: str | None
    number: Decimal | None
    unit: str | None


@dataclass(frozen=True)
class ProjectTargets:
    sheet: str
    code: str
    name: str
    goal_ref: str
    goal: str
    indicators: tuple[IndicatorTarget, ...]


def targets_of(wb: ReadWorkbook) -> tuple[ProjectTargets, ...]:
    """The goal and the targets of every used project of a workbook."""
    if wb.spec is None:
        return ()
    out = []
    for p in wb.projects:
        if not p.used:
            continue
        rows = []
        for row in p.indicators:
            r = interpret(row, wb.spec)
            if r.tier3:
                rows.append(IndicatorTarget(row.ref("value"), r.tier3, r.operator, r.number,
                                            r.unit))
        goal = p.fields["goal"]
        out.append(ProjectTargets(p.name, clean_text(p.fields["project_code"].value),
                                  clean_text(p.fields["project_name"].value), goal.ref,
                                  clean_text(goal.value), tuple(rows)))
    return tuple(out)


@dataclass
class Previous:
    """Last year's accepted targets, by (unit, 项目编码) and by (unit, 项目名称)."""
    files: int = 0
    unreadable: list[str] = field(default_factory=list)
    by_code: dict[tuple[str, str], ProjectTargets] = field(default_factory=dict)
    by_name: dict[tuple[str, str], ProjectTargets] = field(default_factory=dict)

    def match(self, unit: str | None, project: ProjectTargets) -> ProjectTargets | None:
        if not unit:
            return None
        return (self.by_code.get((unit, project.code)) if project.code else None) \
            or (self.by_name.get((unit, project.name)) if project.name else None)


def _read_previous(path: Path):
    try:
        wb = read_workbook(path)
    except (Unreadable, OSError):
        return str(path), None, None, ()
    return str(path), wb.unit_code, wb.saved_at, targets_of(wb)


def load_previous(paths: list[Path], workers=None) -> Previous:
    """Last year's returns (files found by find_returns). When a unit sent several files, the
    newest by its own saved time counts, as in the 汇总."""
    results = workers.map(_read_previous, paths) if workers else map(_read_previous, paths)
    prev = Previous()
    newest: dict[str, tuple] = {}
    for path, unit, saved, targets in results:
        prev.files += 1
        if unit is None or not targets:
            if unit is None:
                prev.unreadable.append(path)
            continue
        key = (saved or "", Path(path).name)
        if unit not in newest or key > newest[unit][0]:
            newest[unit] = (key, targets)
    for unit, (_, targets) in sorted(newest.items()):
        for t in targets:
            if t.code:
                prev.by_code.setdefault((unit, t.code), t)
            if t.name:
                prev.by_name.setdefault((unit, t.name), t)
    return prev


def _pairs(books, previous: Previous):
    for f in books:
        for project in f.targets:
            last = previous.match(f.unit_code, project)
            if last is not None:
                yield f, project, last


@check("lower_than_previous", keys={"tier3", "target", "previous"}, scope="previous")
def lower_than_previous(books, previous: Previous, _):
    """A target is lower than last year's for the same indicator (≥/> targets)."""
    for f, project, last in _pairs(books, previous):
        before = {i.tier3: i for i in last.indicators}
        for i in project.indicators:
            old = before.get(i.tier3)
            if old is None or i.number is None or old.number is None:
                continue
            if i.operator in RAISING and old.operator in RAISING and i.unit == old.unit \
                    and i.number < old.number:
                yield f.path, Finding(project.sheet, i.ref, {
                    "tier3": display(i.tier3), "target": _text(i), "previous": _text(old)})


@check("goal_copied_previous", keys={"previous_sheet"}, scope="previous")
def goal_copied_previous(books, previous: Previous, _):
    """The 绩效目标 is word for word last year's."""
    for f, project, last in _pairs(books, previous):
        if project.goal and project.goal.replace(" ", "") == last.goal.replace(" ", ""):
            yield f.path, Finding(project.sheet, project.goal_ref, {"previous_sheet": last.sheet})


def _text(i: IndicatorTarget) -> str:
    number = format(i.number, "f")
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    unit = "%" if i.unit == "百分比" else i.unit or ""
    return f"{i.operator or ''}{number}{unit}"
