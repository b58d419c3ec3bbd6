"""Is this our workbook, in a version we know, with its sheets and pre-filled values intact?"""
from __future__ import annotations

from ...read.reader import ReadWorkbook
from ...values import display
from .registry import Finding, check


@check("not_xltool", needs_template=False)
def not_xltool(wb: ReadWorkbook, _):
    """The workbook has no xltool identity sheet."""
    if wb.meta_problem == "missing":
        yield Finding(None, None)


@check("identity_damaged", needs_template=False)
def identity_damaged(wb: ReadWorkbook, _):
    """The identity sheet was edited or damaged."""
    if wb.meta_problem == "damaged":
        yield Finding(None, None)


@check("unknown_template", keys={"template"}, needs_template=False)
def unknown_template(wb: ReadWorkbook, _):
    """The template version (or framework) is not one this xltool knows."""
    if wb.meta_problem == "unknown_template" and wb.meta is not None:
        m = wb.meta
        yield Finding(None, None, {"template": f"{m.template_id} {m.template_version}（{m.framework}）"})


@check("sheet_missing", keys={"expected"})
def sheet_missing(wb: ReadWorkbook, _):
    """A sheet of the workbook was removed or renamed."""
    for name in wb.missing_sheets:
        yield Finding(None, None, {"expected": name})


@check("prefill_changed", keys={"was", "now"})
def prefill_changed(wb: ReadWorkbook, _):
    """A pre-filled (locked) value differs from what the county sent."""
    for c in wb.changed:
        yield Finding(c.sheet, c.ref, {"was": c.was, "now": c.now or "（空）"})


@check("layout_moved", keys={"text", "was", "now"})
def layout_moved(wb: ReadWorkbook, _):
    """Rows or columns were inserted or deleted on a sheet: one message per sheet (the form is
    still read where its cells went)."""
    from ...template.cells import cell_name
    for sheet, m in wb.moved:
        yield Finding(sheet, cell_name(*m.now), {"text": display(m.text),
                                                  "was": cell_name(*m.was),
                                                  "now": cell_name(*m.now)})


@check("formula_without_value", keys={"field"})
def formula_without_value(wb: ReadWorkbook, _):
    """A formula cell has no calculated value saved with it."""
    for p in wb.projects:
        cells = [*p.fields.values(), *p.plan] + [c for r in p.indicators
                                                  for c in r.unsaved_cells()]
        for c in cells:
            if c.formula_without_value:
                yield Finding(p.name, c.ref, {"field": c.ref})
    if wb.dept is not None:
        d = wb.dept
        cells = [*d.fields.values(), *(c for a in d.areas for c in (a.name, a.goal)),
                 *(c for r in d.indicators for c in r.unsaved_cells())]
        for c in cells:
            if c.formula_without_value:
                yield Finding(d.name, c.ref, {"field": c.ref})


@check("unreadable", keys={"reason"}, needs_template=False)
def unreadable(wb: ReadWorkbook, _):
    """The file cannot be opened as a workbook (the engine reports it; nothing to look at)."""
    return iter(())


@check("internal_error", needs_template=False)
def internal_error(wb: ReadWorkbook, _):
    """The checker itself failed on this file (the engine reports it, with the traceback in
    审核程序错误日志.txt of the report folder)."""
    return iter(())


@check("blank_form", needs_template=False)
def blank_form(wb: ReadWorkbook, _):
    """The county's own generated workbook, nothing filled in (the engine reports it; such a
    file never counts as a return)."""
    return iter(())


ANNOTATION_SHEET = "问题清单"   # added by the annotated copy; allowed


def _expected_order(wb: ReadWorkbook) -> list[str]:
    s = wb.spec.sheets
    dept = [wb.meta.dept_sheet] if wb.meta.dept_sheet and wb.spec.dept is not None else []
    return [s.cover, *dept, *wb.meta.project_sheets, s.lists, s.meta]


@check("sheet_added", keys={"name"})
def sheet_added(wb: ReadWorkbook, _):
    """A sheet was added to the workbook."""
    expected = set(_expected_order(wb)) | {ANNOTATION_SHEET}
    for name in wb.sheet_names:
        if name not in expected:
            yield Finding(name, None, {"name": name})


@check("sheet_order", keys={"expected"})
def sheet_order(wb: ReadWorkbook, _):
    """The sheets are not in the order the county sent them."""
    expected = _expected_order(wb)
    present = [n for n in wb.sheet_names if n in expected]
    wanted = [n for n in expected if n in present]
    if present != wanted:
        yield Finding(None, None, {"expected": "、".join(f"“{n}”" for n in wanted
                                                         if n not in (wb.spec.sheets.lists,
                                                                      wb.spec.sheets.meta))})


@check("sheet_unhidden", keys={"name"})
def sheet_unhidden(wb: ReadWorkbook, _):
    """A hidden sheet of the template was made visible."""
    for name in (wb.spec.sheets.lists, wb.spec.sheets.meta):
        if wb.states.get(name, "hidden") == "visible":
            yield Finding(name, None, {"name": name})


@check("lists_changed", keys={"name"})
def lists_changed(wb: ReadWorkbook, _):
    """The hidden dropdown lists differ from the template's."""
    from ...template.dropdowns import list_names
    if wb.list_values is None:
        return
    for name, items in list_names(wb.spec, wb.framework, wb.dept_framework).items():
        if wb.list_values.get(name) != items:
            yield Finding(wb.spec.sheets.lists, None, {"name": name})


@check("file_name_unit", keys={"in_name", "unit_code"})
def file_name_unit(wb: ReadWorkbook, _):
    """The file name starts with another unit's code than the workbook's own (a date or a
    year in front of the name, 202503_… or 250315-…, is not a unit code)."""
    import re
    m = re.match(r"(\d{4,12})(?=[_\-\s.])", wb.path.name)
    code = wb.unit_code
    if m and code and len(m.group(1)) == len(code) and m.group(1) != code \
            and not looks_like_date(m.group(1)):
        yield Finding(None, None, {"in_name": m.group(1), "unit_code": wb.unit_code})


def looks_like_date(digits: str) -> bool:
    """2025, 202503, 20250315, 250315 (and 2503): how people date file names."""
    from datetime import date

    def valid(y: int, m: int, d: int = 1) -> bool:
        try:
            date(y, m, d)
            return 2000 <= y <= 2099
        except ValueError:
            return False
    n = [int(digits[i:i + 2]) for i in range(0, len(digits), 2)]
    if len(digits) == 4:
        return 2000 <= int(digits) <= 2099 or valid(2000 + n[0], n[1])
    if len(digits) == 6:
        return valid(int(digits[:4]), n[2]) or valid(2000 + n[0], n[1], n[2])
    if len(digits) == 8:
        return valid(int(digits[:4]), n[2], n[3])
    return False
