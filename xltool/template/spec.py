"""The template spec (templates/*.yaml) and indicator frameworks, as pydantic models.

Every coordinate of a generated workbook is derived from a TemplateSpec: the writer places
fields from it and the reader finds them from it.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

from .cells import CellRange, col_index, col_letters
from ..paths import data_dir
from ..modelcache import load_model

INDICATOR_KEYS = ("tier1", "tier2", "tier3", "description", "operator", "value", "unit", "basis")
PROJECT_FIELD_KEYS = ("project_code", "project_name", "budget_total", "budget_fiscal",
                      "budget_other", "purpose", "goal")


def _range(value: object) -> CellRange:
    return value if isinstance(value, CellRange) else CellRange.parse(str(value))


Range = Annotated[CellRange, BeforeValidator(_range)]


class Strict(BaseModel):
    # defer_build: a model's validator is built when a file is first validated, not at import;
    # the bundled files come from the model cache (modelcache.py) and are not validated again.
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True,
                              defer_build=True)


def _prompt(value: object) -> tuple[str, str]:
    title, message = value  # type: ignore[misc]
    # Excel's limits for a data-validation input message.
    if len(title) > 32 or len(message) > 255:
        raise ValueError(f"prompt too long for Excel (title ≤ 32, message ≤ 255): {title!r}")
    return str(title), str(message)


Prompt = Annotated[tuple[str, str], BeforeValidator(_prompt)]


class Label(Strict):
    range: Range
    text: str
    style: Literal["label", "note", "section"] = "label"


class Field(Strict):
    label: Label
    range: Range
    kind: Literal["text", "amount", "longtext"]
    source: str | None = None   # attribute of the unit/project that pre-fills it
    prompt: Prompt


INSTRUCTION_KEYS = {"year", "tier1", "required", "last_checkpoint"}


class CoverSpec(Strict):
    title: str
    title_range: Range
    column_widths: dict[str, float]
    fields: dict[str, Field]
    instructions_row: int
    # paragraphs; may use {year}, {tier1} (the framework's 一级), {required} (the 一级 each
    # project must have) and {last_checkpoint}
    instructions: list[str]

    @model_validator(mode="after")
    def _known_placeholders(self) -> "CoverSpec":
        import string
        for text in self.instructions:
            used = {n for _, n, _, _ in string.Formatter().parse(text) if n}
            if used - INSTRUCTION_KEYS:
                raise ValueError(f"unknown placeholder(s) {sorted(used - INSTRUCTION_KEYS)} "
                                 f"in instruction {text[:20]!r}")
        return self


class PlanSpec(Strict):
    header_row: int
    value_row: int
    first_col: str
    prompt: Prompt


class IndicatorColumn(Strict):
    key: Literal[INDICATOR_KEYS]  # type: ignore[valid-type]
    header: str
    prompt: Prompt


class IndicatorSpec(Strict):
    header_row: int
    first_row: int
    first_col: str
    columns: list[IndicatorColumn]

    @model_validator(mode="after")
    def _eight_columns(self) -> "IndicatorSpec":
        if tuple(c.key for c in self.columns) != INDICATOR_KEYS:
            raise ValueError(f"indicator columns must be {INDICATOR_KEYS} in this order")
        return self


class SheetLayout(Strict):
    """What every form sheet has: a title, the unit line, widths and heights, labels, fields."""
    title_range: Range
    unit_line: Range
    column_widths: dict[str, float]
    row_heights: dict[int, float] = {}
    labels: list[Label]
    fields: dict[str, Field]


class ProjectSheetSpec(SheetLayout):
    plan: PlanSpec
    indicators: IndicatorSpec

    @model_validator(mode="after")
    def _known_fields(self) -> "ProjectSheetSpec":
        if tuple(self.fields) != PROJECT_FIELD_KEYS:
            raise ValueError(f"project fields must be {PROJECT_FIELD_KEYS} in this order")
        return self


class SheetNames(Strict):
    cover: str
    lists: str
    meta: str


class Lists(Strict):
    operators: list[str]
    qualitative: list[str]
    units: list[str]
    bases: list[str]
    units_open: bool = False    # a unit outside the list is warned about, not refused


class TemplateSpec(Strict):
    id: str
    version: str
    framework: str
    title: str
    checkpoints: list[str]
    indicator_rows: int
    blank_sheets: int
    sheets: SheetNames
    cover: CoverSpec
    project: ProjectSheetSpec
    lists: Lists
    # the 部门整体绩效目标 sheet; None in template versions without it (2025.1)
    dept: "DeptSheetSpec | None" = None

    # ---- derived layout (computed once, never written down twice) ----
    @cached_property
    def plan_header_cells(self) -> list[CellRange]:
        return self._plan_row(self.project.plan.header_row)

    @cached_property
    def plan_cells(self) -> list[CellRange]:
        return self._plan_row(self.project.plan.value_row)

    def _plan_row(self, row: int) -> list[CellRange]:
        c0 = col_index(self.project.plan.first_col)
        return [CellRange.at(row - 1, c0 + i) for i in range(len(self.checkpoints))]

    @cached_property
    def indicator_header(self) -> CellRange:
        ind = self.project.indicators
        c0 = col_index(ind.first_col)
        return CellRange(ind.header_row - 1, c0, ind.header_row - 1, c0 + len(INDICATOR_KEYS) - 1)

    @cached_property
    def indicator_body(self) -> CellRange:
        ind = self.project.indicators
        c0 = col_index(ind.first_col)
        r0 = ind.first_row - 1
        return CellRange(r0, c0, r0 + self.indicator_rows - 1, c0 + len(INDICATOR_KEYS) - 1)

    def indicator_column(self, key: str) -> CellRange:
        """The body range of one indicator column."""
        body = self.indicator_body
        c = body.col1 + INDICATOR_KEYS.index(key)
        return CellRange(body.row1, c, body.row2, c)

    @cached_property
    def last_col_letter(self) -> str:
        return col_letters(self.indicator_body.col2)

    @model_validator(mode="after")
    def _layout_is_consistent(self) -> "TemplateSpec":
        if not 1 <= len(self.checkpoints) <= 7:
            raise ValueError("between 1 and 7 plan checkpoints fit on a project sheet")
        if not 1 <= self.indicator_rows <= 500:
            raise ValueError("indicator_rows must be between 1 and 500")
        p = self.project
        if p.indicators.first_row <= p.indicators.header_row:
            raise ValueError("indicator body must start below its header")
        taken: dict[tuple[int, int], str] = {}
        places = [("title", p.title_range), ("unit_line", p.unit_line)]
        places += [(lb.text, lb.range) for lb in p.labels]
        for key, f in p.fields.items():
            places += [(key, f.range), (key + " label", f.label.range)]
        places += [("plan header", r) for r in self.plan_header_cells]
        places += [("plan", r) for r in self.plan_cells]
        places += [("indicator header", self.indicator_header), ("indicators", self.indicator_body)]
        for what, rng in places:
            for cell in rng.cells():
                if cell in taken:
                    raise ValueError(f"{what} overlaps {taken[cell]} at {rng.a1}")
                taken[cell] = what
        return self


class Tier2(Strict):
    name: str
    required: bool = False
    satisfaction: bool = False


class Tier1(Strict):
    name: str
    required: bool = False
    children: list[Tier2]


class Framework(Strict):
    id: str
    name: str
    tiers: list[Tier1]

    def children_of(self, tier1: str) -> list[str]:
        for t in self.tiers:
            if t.name == tier1:
                return [c.name for c in t.children]
        return []

    @property
    def tier1_names(self) -> list[str]:
        return [t.name for t in self.tiers]


from .dept_spec import DeptSheetSpec  # noqa: E402,F401  (it builds on the models above; the
#                                                    validator resolves TemplateSpec.dept to it)


def load_spec(path: str | Path | None = None) -> TemplateSpec:
    """Load a template spec; default: the bundled templates/project.yaml."""
    path = Path(path) if path else data_dir("templates") / "project.yaml"
    return load_model(TemplateSpec, path)


def load_framework(name_or_path: str | Path) -> Framework:
    """A framework by id (templates/frameworks/<id>.yaml) or by path."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = data_dir("templates") / "frameworks" / f"{name_or_path}.yaml"
    return load_model(Framework, path)
