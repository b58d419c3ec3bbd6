"""Checks across files: project codes, units expected and received.

Workers check files in separate processes, so batch checks see small picklable BatchFacts,
not whole workbooks.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...read.reader import ReadWorkbook
from ...values import clean_text
from .registry import Finding, check
from ..report import newest_first


@dataclass(frozen=True)
class BatchFacts:
    path: str
    unit_code: str | None
    unit_name: str | None
    unit_cell: tuple[str, str] | None           # (sheet, ref) of the unit code
    codes: tuple[tuple[str, str, str], ...]     # (sheet, ref, code), first per code
    saved_at: str | None
    digest: str | None = None                   # of the identity, for pre-filled workbooks
    targets: tuple = ()                         # previous.ProjectTargets, with --previous


def _codes(wb: ReadWorkbook):
    for p in wb.projects:
        if p.used:
            cell = p.fields["project_code"]
            code = clean_text(cell.value)
            if code:
                yield p, cell, code


def facts_of(wb: ReadWorkbook, targets: tuple = ()) -> BatchFacts:
    cell = wb.cover.get("unit_code")
    codes: dict[str, tuple[str, str, str]] = {}
    if wb.spec is not None:
        for p, c, code in _codes(wb):
            codes.setdefault(code, (p.name, c.ref, code))
    digest = (wb.meta.verified_digest or wb.meta.digest) \
        if wb.meta is not None and not wb.meta.blank else None
    return BatchFacts(str(wb.path), wb.unit_code, wb.unit_name,
                      (cell.sheet, cell.ref) if cell else None, tuple(codes.values()),
                      wb.saved_at, digest, targets)


@check("duplicate_code_workbook", keys={"value", "other_sheet"})
def duplicate_code_workbook(wb: ReadWorkbook, _):
    """The same 项目编码 on two project sheets of one workbook."""
    seen: dict[str, str] = {}
    for p, cell, code in _codes(wb):
        if code in seen:
            yield Finding(p.name, cell.ref, {"value": code, "other_sheet": seen[code]})
        else:
            seen[code] = p.name


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


@check("duplicate_code_batch", keys={"value", "other_file", "other_sheet"}, scope="batch")
def duplicate_code_batch(books: list[BatchFacts], expected, _):
    """The same 项目编码 in two returned files (of different units)."""
    first: dict[str, BatchFacts] = {}
    where: dict[tuple[str, str], str] = {}
    for f in books:
        for sheet, ref, code in f.codes:
            other = first.get(code)
            if other is not None and other.unit_code != f.unit_code:
                yield f.path, Finding(sheet, ref, {"value": code, "other_file": _name(other.path),
                                                   "other_sheet": where[(other.path, code)]})
            if other is None:
                first[code] = f
                where[(f.path, code)] = sheet


@check("unit_unlisted", keys={"unit_code", "unit_name"}, scope="batch")
def unit_unlisted(books: list[BatchFacts], expected, _):
    """A returned workbook's unit is not on the distribution list."""
    if expected is None:
        return
    codes = {u.code for u in expected}
    for f in books:
        if f.unit_code and f.unit_code not in codes:
            sheet, ref = f.unit_cell or (None, None)
            yield f.path, Finding(sheet, ref, {"unit_code": f.unit_code,
                                               "unit_name": f.unit_name or ""})


@check("unit_twice", keys={"unit_code", "other_file"}, scope="batch")
def unit_twice(books: list[BatchFacts], expected, _):
    """Two returned files belong to the same unit: said on the older ones (the newest counts,
    as in the 汇总)."""
    by_unit: dict[str, list[BatchFacts]] = {}
    for f in books:
        if f.unit_code:
            by_unit.setdefault(f.unit_code, []).append(f)
    for unit, group in by_unit.items():
        counted, *older = newest_first(group, lambda f: f.saved_at, lambda f: f.path)
        for f in sorted(older, key=lambda f: f.path):
            yield f.path, Finding(None, None, {"unit_code": unit,
                                               "other_file": _name(counted.path)})


@check("identity_not_sent", keys={"unit_code"}, scope="batch")
def identity_not_sent(books: list[BatchFacts], expected, _):
    """A pre-filled workbook's identity is not the one the county's manifest recorded for it
    (the identity sheet was rebuilt, or the workbook comes from another generation run)."""
    sent = {u.code: u.digest for u in expected or [] if getattr(u, "digest", None)}
    for f in books:
        if f.digest and f.unit_code in sent and f.digest != sent[f.unit_code]:
            yield f.path, Finding(None, None, {"unit_code": f.unit_code})
