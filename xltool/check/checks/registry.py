"""The registry of checks that rules refer to by name.

A check is a function that looks at the model of a returned workbook (or the whole batch) and
yields Findings: where the problem is and the values its message needs. Which checks run, how
severe they are and what they say is decided by the rule set (rules/*.yaml), not here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Literal

from pydantic import BaseModel, ConfigDict


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


@dataclass(frozen=True)
class Finding:
    sheet: str | None
    cell: str | None
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CheckDef:
    name: str
    fn: Callable[..., Iterable]
    params: type[BaseModel]
    keys: frozenset[str]              # placeholders its findings fill in, besides sheet/cell
    scope: Literal["workbook", "batch", "previous"]   # previous: runs with --previous only
    needs_template: bool              # only runs when the workbook's template is known
    doc: str


CHECKS: dict[str, CheckDef] = {}


def check_twice(name: str, fn, on_projects, on_dept, dept_note: str, *, keys=(),
                params: type[BaseModel] = NoParams):
    """Register a check written once as `name` (over the project sheets, `on_projects`) and
    as dept_`name` (over the 部门整体绩效目标 sheet, `on_dept`); returns fn."""
    on_projects.__doc__ = fn.__doc__
    on_dept.__doc__ = dept_note + (fn.__doc__ or "")
    check(name, keys=keys, params=params)(on_projects)
    check(f"dept_{name}", keys=keys, params=params)(on_dept)
    return fn


def check(name: str, *, keys: Iterable[str] = (), params: type[BaseModel] = NoParams,
          scope: Literal["workbook", "batch", "previous"] = "workbook", needs_template: bool = True):
    def register(fn):
        if name in CHECKS:
            raise ValueError(f"check {name} registered twice")
        CHECKS[name] = CheckDef(name, fn, params, frozenset(keys), scope, needs_template,
                                (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else "")
        return fn
    return register
