"""Is this our workbook, in a version we know, with its sheets and pre-filled values intact?"""
from __future__ import annotations

from ..reader import ReadWorkbook
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


@check("formula_without_value", keys={"field"})
def formula_without_value(wb: ReadWorkbook, _):
    """A formula cell has no calculated value saved with it."""
    for p in wb.projects:
        cells = [*p.fields.values(), *p.plan] + [c for r in p.indicators for c in r.cells.values()]
        for c in cells:
            if c.formula_without_value:
                yield Finding(p.name, c.ref, {"field": c.ref})


@check("unreadable", keys={"reason"}, needs_template=False)
def unreadable(wb: ReadWorkbook, _):
    """The file cannot be opened as a workbook (the engine reports it; nothing to look at)."""
    return iter(())
