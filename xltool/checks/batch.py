"""Checks across files: project codes, units expected and received."""
from __future__ import annotations

from ..reader import ReadWorkbook
from ..values import clean_text
from .registry import Finding, check


def _codes(wb: ReadWorkbook):
    for p in wb.projects:
        if p.used:
            cell = p.fields["project_code"]
            code = clean_text(cell.value)
            if code:
                yield p, cell, code


@check("duplicate_code_workbook", keys={"value", "other_sheet"})
def duplicate_code_workbook(wb: ReadWorkbook, _):
    """The same 项目编码 on two project sheets of one workbook."""
    seen: dict[str, str] = {}
    for p, cell, code in _codes(wb):
        if code in seen:
            yield Finding(p.name, cell.ref, {"value": code, "other_sheet": seen[code]})
        else:
            seen.setdefault(code, p.name)


@check("duplicate_code_batch", keys={"value", "other_file", "other_sheet"}, scope="batch")
def duplicate_code_batch(books: list[ReadWorkbook], expected, _):
    """The same 项目编码 in two returned files."""
    first: dict[str, tuple[ReadWorkbook, str]] = {}
    for wb in books:
        for p, cell, code in dict((code, (p, cell, code)) for p, cell, code in _codes(wb)).values():
            if code in first and first[code][0] is not wb:
                other, sheet = first[code]
                yield wb, Finding(p.name, cell.ref, {"value": code, "other_file": other.path.name,
                                                     "other_sheet": sheet})
            first.setdefault(code, (wb, p.name))


@check("unit_unlisted", keys={"unit_code", "unit_name"}, scope="batch")
def unit_unlisted(books: list[ReadWorkbook], expected, _):
    """A returned workbook's unit is not on the distribution list."""
    if expected is None:
        return
    codes = {u.code for u in expected}
    for wb in books:
        if wb.unit_code and wb.unit_code not in codes:
            cell = wb.cover.get("unit_code")
            yield wb, Finding(cell.sheet if cell else None, cell.ref if cell else None,
                              {"unit_code": wb.unit_code, "unit_name": wb.unit_name or ""})


@check("unit_twice", keys={"unit_code", "other_file"}, scope="batch")
def unit_twice(books: list[ReadWorkbook], expected, _):
    """Two returned files belong to the same unit."""
    first: dict[str, ReadWorkbook] = {}
    for wb in books:
        if wb.unit_code:
            if wb.unit_code in first:
                yield wb, Finding(None, None, {"unit_code": wb.unit_code,
                                               "other_file": first[wb.unit_code].path.name})
            first.setdefault(wb.unit_code, wb)
