"""Write the 部门整体绩效目标 sheet (Part 1 of the published targets) from the template spec.

Laid out like the provincial 部门整体支出绩效目标表: the title and unit (locked), the budget
(pre-filled from the list), 一、总体绩效目标, 二、分项绩效目标 (an area table, then an indicator
table whose 所属分项 offers the areas typed above), 三、工作保障措施.
"""
from __future__ import annotations

from .cells import CellRange
from .distlist import Unit
from .dropdowns import add_dept_validations
from .spec import TemplateSpec
from .styles import Styles
from .writer import SHEET_PROTECTION, WorkbookPlan, _print_setup, _quoted, sheet_frame

AREA_STYLES = {"name": "center", "goal": "longtext"}
INDICATOR_STYLES = {"area": "center", "tier1": "center", "tier2": "center", "operator": "center",
                    "value": "number", "unit": "center"}


def _value(unit: Unit | None, source: str | None) -> object:
    if source is None or unit is None:
        return None
    return getattr(unit, source, None)


def write_dept_sheet(wb, st: Styles, spec: TemplateSpec, plan: WorkbookPlan, snap: list) -> None:
    d = spec.dept
    name = d.sheet
    ws, sh = sheet_frame(wb, st, d, name, d.title.format(year=plan.year), plan, snap)
    unit = plan.unit
    label_style = {"label": st.label, "note": st.plain_right, "section": st.section}
    for label in d.labels:
        sh.put(label.range, label.text, label_style[label.style], locked=True)
    for key, f in d.fields.items():
        sh.put(f.label.range, f.label.text, label_style[f.label.style], locked=True)
        value = _value(unit, f.source)
        if f.source is None:
            sh.put(f.range, None, st.input[f.kind], locked=False)
        else:
            sh.put(f.range, value, st.prefill[f.kind], locked=True)
        if f.source is None or value is not None:
            wb.define_name(f"{_quoted(name)}!xt_dept_{key}",
                           "=" + CellRange.at(f.range.row1, f.range.col1).absolute(name))
    for table, styles, defined in ((d.areas, AREA_STYLES, "xt_dept_areas"),
                                   (d.indicators, INDICATOR_STYLES, "xt_dept_indicators")):
        for column in table.columns:
            sh.put(table.header_cell(column.key), column.header, st.label, locked=True)
        body = table.body
        for row in range(body.row1, body.row2 + 1):
            if table.row_height:
                ws.set_row(row, table.row_height)
            for column in table.columns:
                sh.put(table.cell(row, column.key), None,
                       st.input[styles.get(column.key, "text")], locked=False)
        wb.define_name(f"{_quoted(name)}!{defined}", "=" + body.absolute(name))
    add_dept_validations(ws, spec)
    ws.protect(plan.password, SHEET_PROTECTION)
    _print_setup(ws, landscape=True, repeat_row=d.indicators.header_row - 1)
