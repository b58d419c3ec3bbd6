"""Write one township workbook from the template spec (xlsxwriter)."""
from __future__ import annotations

import math
from functools import lru_cache
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from xlsxwriter.worksheet import Worksheet

from .. import __version__
from ..atomic import atomic_path
from .cells import CellRange, col_index, col_letters
from .distlist import Project, Unit
from .dropdowns import add_project_validations, write_list_sheet
from .meta import Meta
from .naming import sheet_name
from .protection import StructureLockedWorkbook
from .spec import Framework, TemplateSpec
from .styles import Styles
from .templates import framework_ref

SHEET_PROTECTION = {
    "select_locked_cells": True, "select_unlocked_cells": True, "format_rows": True,
    "format_columns": False, "format_cells": False, "insert_rows": False,
    "delete_rows": False, "insert_columns": False, "delete_columns": False, "sort": False,
    "autofilter": False, "objects": False, "scenarios": False,
}
UNIT_LINE_FORMULA = '=xt_unit_code&" "&xt_unit_name'


@dataclass
class WorkbookPlan:
    """What goes into one workbook."""
    year: int
    unit: Unit | None          # None: the unassigned blank template
    blank_sheets: int          # blank project sheets when the unit has no projects
    password: str
    generated_at: str
    # the 部门整体绩效目标 sheet's framework; None: no such sheet (--parts projects)
    dept_framework: Framework | None = None

    def has_dept(self, spec: TemplateSpec) -> bool:
        return spec.dept is not None and self.dept_framework is not None
    settings: dict | None = None   # the county's list settings, recorded in the identity


def text_of(value: object) -> str:
    """The canonical text of a pre-filled value, as recorded in the snapshot."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


class _Sheet:
    """Writes cells of one worksheet, recording every non-empty locked value for the snapshot."""

    def __init__(self, ws: Worksheet, snapshot: list[tuple[str, str, str]]):
        self.ws, self._snapshot = ws, snapshot

    def put(self, rng: CellRange, value: object, fmt, *, locked: bool) -> None:
        data = "" if value is None else value
        if isinstance(data, Decimal):
            data = float(data)
        if not rng.is_cell:
            self.ws.merge_range(rng.row1, rng.col1, rng.row2, rng.col2, "", fmt)
        if isinstance(data, str):
            self.ws.write_string(rng.row1, rng.col1, data, fmt) if data else \
                self.ws.write_blank(rng.row1, rng.col1, None, fmt)
        else:
            self.ws.write_number(rng.row1, rng.col1, data, fmt)
        if locked and value not in (None, ""):
            self._snapshot.append((self.ws.name, rng.top_left, text_of(value)))

    def widths(self, widths: dict[str, float]) -> None:
        for letter, width in widths.items():
            self.ws.set_column(col_index(letter), col_index(letter), width)


def _project_value(project: Project | None, unit: Unit | None, source: str | None) -> object:
    """The pre-filled value of a field, or None when the township fills it in."""
    if source is None:
        return None
    holder = unit if source.startswith("unit_") else project
    if holder is None:
        return None
    return getattr(holder, source.removeprefix("unit_"), None)


def _print_setup(ws: Worksheet, *, landscape: bool, repeat_row: int | None = None) -> None:
    ws.set_paper(9)  # A4
    ws.set_landscape() if landscape else ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    if repeat_row is not None:
        ws.repeat_rows(repeat_row)


def instruction_text(text: str, spec: TemplateSpec, framework: Framework, year: int) -> str:
    """An instruction with the template's own lists filled in (see CoverSpec.instructions)."""
    required = [t.name for t in framework.tiers if t.required]
    return text.format(year=year, tier1="、".join(framework.tier1_names),
                       last_checkpoint=spec.checkpoints[-1],
                       required="、".join(f"一个{name}" for name in required[:-1])
                       + (f"和一个{required[-1]}" if len(required) > 1 else
                          f"一个{required[-1]}" if required else "一个指标"))


def _write_cover(wb, st: Styles, spec: TemplateSpec, framework: Framework, plan: WorkbookPlan,
                 snap: list) -> None:
    cover = spec.cover
    ws = wb.add_worksheet(spec.sheets.cover)
    sh = _Sheet(ws, snap)
    sh.widths(cover.column_widths)
    sh.put(cover.title_range, cover.title.format(year=plan.year), st.title, locked=True)
    ws.set_row(cover.title_range.row1, 30)
    for key, f in cover.fields.items():
        sh.put(f.label.range, f.label.text, st.label, locked=True)
        value = _project_value(None, plan.unit, f.source)
        if value is None:
            sh.put(f.range, None, st.input[f.kind], locked=False)
            title, message = f.prompt
            ws.data_validation(f.range.row1, f.range.col1, f.range.row1, f.range.col1,
                               {"validate": "any", "input_title": title, "input_message": message})
        else:
            sh.put(f.range, value, st.prefill[f.kind], locked=True)
        wb.define_name(f"xt_{key}", "=" + CellRange.at(f.range.row1, f.range.col1)
                       .absolute(ws.name))
    width = sum(cover.column_widths.values())
    last_col = cover.title_range.col2
    texts = cover.instructions + (spec.dept.instructions if plan.has_dept(spec) else [])
    for i, text in enumerate(texts):
        text = instruction_text(text, spec, framework, plan.year)
        row = cover.instructions_row - 1 + i
        sh.put(CellRange(row, 0, row, last_col), text, st.paragraph, locked=True)
        ws.set_row(row, 16 * max(1, math.ceil(len(text) * 2.1 / width)) + 6)
    ws.protect(plan.password, SHEET_PROTECTION)
    _print_setup(ws, landscape=False)
    ws.activate()


def sheet_frame(wb, st: Styles, layout, name: str, title: str, plan: WorkbookPlan,
                snap: list) -> tuple[Worksheet, _Sheet]:
    """A new form sheet with what every form has: widths, heights, the title, the unit line.
    `layout` is a SheetLayout (the project or the department sheet's spec)."""
    ws = wb.add_worksheet(name)
    sh = _Sheet(ws, snap)
    sh.widths(layout.column_widths)
    for row, height in layout.row_heights.items():
        ws.set_row(row - 1, height)
    ws.set_row(layout.title_range.row1, 30)
    sh.put(layout.title_range, title, st.title, locked=True)
    unit = plan.unit
    sh.put(layout.unit_line, None, st.plain, locked=True)
    ws.write_formula(layout.unit_line.row1, layout.unit_line.col1, UNIT_LINE_FORMULA, st.plain,
                     f"{unit.code} {unit.name}" if unit else "")
    return ws, sh


def _write_project(wb, st: Styles, spec: TemplateSpec, plan: WorkbookPlan, name: str,
                   project: Project | None, snap: list) -> None:
    p = spec.project
    ws, sh = sheet_frame(wb, st, p, name, spec.title.format(year=plan.year), plan, snap)
    for label in p.labels:
        sh.put(label.range, label.text, st.label if label.style == "label" else st.plain_right,
               locked=True)
    inputs: set[str] = set()
    heights = dict(p.row_heights)  # 1-based row -> points
    for key, f in p.fields.items():
        sh.put(f.label.range, f.label.text, st.label, locked=True)
        value = _project_value(project, None, f.source)
        if value is None:
            inputs.add(key)
            sh.put(f.range, None, st.input[f.kind], locked=False)
        else:
            sh.put(f.range, value, st.prefill[f.kind], locked=True)
            row = f.range.row1 + 1
            heights[row] = max(heights.get(row, 15), _height(text_of(value), f.range, p))
            ws.set_row(row - 1, heights[row])
        wb.define_name(f"{_quoted(name)}!xt_{key}",
                       "=" + CellRange.at(f.range.row1, f.range.col1).absolute(name))
    for header, cell in zip(spec.checkpoints, spec.plan_header_cells):
        sh.put(cell, header, st.label, locked=True)
    for cell in spec.plan_cells:
        sh.put(cell, None, st.input["number"], locked=False)
    plan_row = CellRange(spec.plan_cells[0].row1, spec.plan_cells[0].col1,
                         spec.plan_cells[-1].row1, spec.plan_cells[-1].col1)
    wb.define_name(f"{_quoted(name)}!xt_plan", "=" + plan_row.absolute(name))
    header = spec.indicator_header
    for i, column in enumerate(p.indicators.columns):
        sh.put(CellRange.at(header.row1, header.col1 + i), column.header, st.label, locked=True)
    body = spec.indicator_body
    styles = {"tier1": "center", "tier2": "center", "operator": "center", "value": "number",
              "unit": "center"}
    for i, column in enumerate(p.indicators.columns):
        fmt = st.input[styles.get(column.key, "text")]
        for row in range(body.row1, body.row2 + 1):
            ws.write_blank(row, body.col1 + i, None, fmt)
    wb.define_name(f"{_quoted(name)}!xt_indicators", "=" + body.absolute(name))
    add_project_validations(ws, spec, inputs)
    ws.protect(plan.password, SHEET_PROTECTION)
    _print_setup(ws, landscape=True, repeat_row=header.row1)


def _created(stamp: str) -> datetime:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return datetime.now(timezone.utc).replace(tzinfo=None)


def _height(text: str, rng: CellRange, p) -> float:
    """Points a row needs to show `text` wrapped in the columns of `rng` (10 pt 宋体)."""
    width = sum(p.column_widths.get(col_letters(c), 8.43) for c in range(rng.col1, rng.col2 + 1))
    return text_height(text, width)


@lru_cache(maxsize=8192)
def text_height(text: str, width: float, points: float = 10) -> float:
    """Points a row needs to show `text` wrapped in a cell `width` characters wide (宋体 at
    `points`). Errs on the generous side: a line too many is white space, a line too few
    is text cut off or printed over the next row."""
    per_line = max((width - 1.5) * 10 / points, 1)
    lines = sum(max(1, math.ceil(sum(2 if ord(ch) > 0x2E80 else 1.1 for ch in part) / per_line))
                for part in str(text).split("\n"))
    return round(lines * points * 1.45 + 4, 1)


def _quoted(sheet: str) -> str:
    return "'" + sheet + "'"


def project_sheets(spec: TemplateSpec, plan: WorkbookPlan) -> list[tuple[str, Project | None]]:
    """(sheet name, project) in workbook order; project None for a blank sheet."""
    taken = {spec.sheets.cover, spec.sheets.lists, spec.sheets.meta}
    if plan.has_dept(spec):
        taken.add(spec.dept.sheet)
    projects = plan.unit.projects if plan.unit else ()
    if projects:
        return [(sheet_name(f"{i}.{p.name}", taken), p) for i, p in enumerate(projects, 1)]
    return [(sheet_name(f"项目{i}", taken), None) for i in range(1, plan.blank_sheets + 1)]


def write_workbook(path: Path, spec: TemplateSpec, framework: Framework,
                   plan: WorkbookPlan) -> Meta:
    """Write the workbook atomically (temporary file, then rename) and return its identity."""
    path = Path(path)
    sheets = project_sheets(spec, plan)
    snap: list[tuple[str, str, str]] = []
    with atomic_path(path) as tmp:
        wb = StructureLockedWorkbook(tmp, {"strings_to_numbers": False,
                                           "strings_to_formulas": False,
                                           "strings_to_urls": False},
                                     structure_password=plan.password)
        st = Styles(wb)
        _write_cover(wb, st, spec, framework, plan, snap)
        if plan.has_dept(spec):
            from .dept_sheet import write_dept_sheet
            write_dept_sheet(wb, st, spec, plan, snap)
        for name, project in sheets:
            _write_project(wb, st, spec, plan, name, project, snap)
        write_list_sheet(wb, wb.add_worksheet(spec.sheets.lists), spec, framework, st.list_cell,
                         plan.password, plan.dept_framework if plan.has_dept(spec) else None)
        meta = Meta(
            template_id=spec.id, template_version=spec.version,
            framework=framework_ref(framework),
            year=plan.year, unit_code=plan.unit.code if plan.unit else None,
            unit_name=plan.unit.name if plan.unit else None, blank=plan.unit is None,
            generator=f"xltool {__version__}", generated_at=plan.generated_at,
            project_sheets=[name for name, _ in sheets], cells=snap,
            dept_sheet=spec.dept.sheet if plan.has_dept(spec) else None,
            dept_framework=framework_ref(plan.dept_framework) if plan.has_dept(spec) else None,
            settings=plan.settings)
        meta_ws = wb.add_worksheet(spec.sheets.meta)
        for r, row in enumerate(meta.rows()):
            for c, value in enumerate(row):
                meta_ws.write_string(r, c, value)
        meta_ws.protect(plan.password)
        meta_ws.very_hidden()
        wb.set_properties({"title": spec.title.format(year=plan.year),
                           "subject": plan.unit.name if plan.unit else "空白模板",
                           "author": "xltool", "comments": f"{spec.id} {spec.version}",
                           "created": _created(plan.generated_at)})
        wb.set_custom_property("xt_template", spec.id)
        wb.set_custom_property("xt_version", spec.version)
        wb.set_custom_property("xt_unit_code", meta.unit_code or "")
        wb.close()
    return meta
