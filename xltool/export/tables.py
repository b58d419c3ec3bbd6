"""The consolidated tables (单位, 项目, 项目指标) as typed columns and rows.

A table is what both the workbook and the CSV files are written from, after the mapping file
(if any) has renamed, ordered, selected and recoded its columns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Literal

from .collect import STATUS
from .model import UnitTargets

Kind = Literal["text", "amount", "number", "value"]   # value: a number, or text when a word

DEFAULT_CHECKPOINTS = ("3月底", "6月底", "10月底", "12月底")


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "text"
    width: float = 14


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: list[list[object]] = field(default_factory=list)   # str | Decimal | None

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]


def plan_header(checkpoint: str) -> str:
    return f"{checkpoint}（%）"


def unit_table(units: list[UnitTargets]) -> Table:
    t = Table("单位", [Column("单位编码", width=12), Column("单位名称", width=30),
                      Column("文件", width=48), Column("审核结果", width=10),
                      Column("错误数", "number", 8), Column("警告数", "number", 8),
                      Column("项目数", "number", 8), Column("标识摘要", width=20)])
    for u in units:
        t.rows.append([u.code, u.name, u.file, STATUS.get(u.status, u.status),
                       Decimal(u.errors), Decimal(u.warnings), Decimal(len(u.projects)),
                       u.digest])
    return t


def project_table(units: list[UnitTargets], checkpoints=DEFAULT_CHECKPOINTS) -> Table:
    t = Table("项目", [Column("单位编码", width=12), Column("单位名称", width=26),
                      Column("项目编码", width=26), Column("项目名称", width=30),
                      Column("预算数", "amount", 14), Column("财政资金", "amount", 14),
                      Column("其他资金", "amount", 14), Column("资金用途", width=40),
                      *[Column(plan_header(c), "number", 10) for c in checkpoints],
                      Column("绩效目标", width=50)])
    for u in units:
        for p in u.projects:
            plan = list(p.plan[:len(checkpoints)]) + [None] * (len(checkpoints) - len(p.plan))
            t.rows.append([u.code, u.name, p.code, p.name, p.total, p.fiscal, p.other,
                           p.purpose, *plan, p.goal])
    return t


def _tiers(tier3_width: int) -> list[Column]:
    return [Column("一级指标", width=12), Column("二级指标", width=18),
            Column("三级指标", width=tier3_width)]


def _target() -> list[Column]:
    """The columns of an indicator's target, after its tiers (and description)."""
    return [Column("符号", width=7), Column("指标值", "value", 10), Column("计量单位", width=10),
            Column("指标值确定依据", width=22), Column("指标性质", width=9)]


def indicator_table(units: list[UnitTargets]) -> Table:
    t = Table("项目指标", [Column("单位编码", width=12), Column("单位名称", width=26),
                        Column("项目编码", width=26), Column("项目名称", width=26),
                        *_tiers(28), Column("指标内容", width=28), *_target()])
    target = attrgetter("tier1", "tier2", "tier3", "description", "operator", "value", "unit",
                        "basis", "kind")
    for u in units:
        for p in u.projects:
            t.rows += ([u.code, u.name, p.code, p.name, *target(i)] for i in p.indicators)
    return t


def dept_table(units: list[UnitTargets]) -> Table:
    """部门整体: one row per unit whose return has Part 1."""
    t = Table("部门整体", [Column("单位编码", width=12), Column("单位名称", width=26),
                        Column("预算总额", "amount", 14), Column("基本支出", "amount", 14),
                        Column("总体绩效目标", width=60), Column("工作保障措施", width=60),
                        Column("分项数", "number", 8), Column("指标数", "number", 8)])
    for u in units:
        d = u.dept
        if d is not None:
            t.rows.append([u.code, u.name, d.total, d.basic, d.goal, d.measures,
                           Decimal(len(d.areas)), Decimal(len(d.indicators))])
    return t


def area_table(units: list[UnitTargets]) -> Table:
    t = Table("部门分项", [Column("单位编码", width=12), Column("单位名称", width=26),
                        Column("序号", "number", 6), Column("分项名称", width=20),
                        Column("分项绩效目标", width=70)])
    for u in units:
        for n, a in enumerate(u.dept.areas if u.dept else (), start=1):
            t.rows.append([u.code, u.name, Decimal(n), a.name, a.goal])
    return t


def dept_indicator_table(units: list[UnitTargets]) -> Table:
    t = Table("部门指标", [Column("单位编码", width=12), Column("单位名称", width=26),
                        Column("所属分项", width=16), *_tiers(40), *_target()])
    for u in units:
        for item in u.dept.indicators if u.dept else ():
            i = item.indicator
            t.rows.append([u.code, u.name, item.area, i.tier1, i.tier2, i.tier3, i.operator,
                           i.value, i.unit, i.basis, i.kind])
    return t


def all_tables(units: list[UnitTargets]) -> list[Table]:
    """Every table the export writes, in order."""
    checkpoints = next((u.checkpoints for u in units if u.checkpoints), DEFAULT_CHECKPOINTS)
    return [unit_table(units), project_table(units, checkpoints), indicator_table(units),
            dept_table(units), area_table(units), dept_indicator_table(units)]


def table_columns() -> dict[str, list[str]]:
    """Table name -> its column names (what a mapping file may refer to)."""
    return {t.name: t.headers for t in all_tables([])}
