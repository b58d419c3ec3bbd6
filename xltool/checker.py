"""Check returned workbooks: read each, run the selected rules, gather one report."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .cells import CellRange
from .distlist import ListError, Unit, load_units
from .reader import ReadWorkbook, Unreadable, read_workbook
from .report import FileReport, Issue, Report
from .rules import Rule, RuleSet, load_rules

RETURN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods")
SKIP_NAMES = ("~$", ".~lock", ".xltool-")


class UnitsError(Exception):
    """The --units file cannot be used (Chinese message)."""


@dataclass(frozen=True)
class Expected:
    code: str
    name: str


def find_returns(paths: list[Path]) -> list[Path]:
    """Files to check: files as given; folders searched recursively for workbooks."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*")
                            if p.is_file() and p.suffix.lower() in RETURN_SUFFIXES
                            and not p.name.startswith(SKIP_NAMES))
        else:
            found.append(path)
    unique, seen = [], set()
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def load_expected(path: Path) -> list[Expected]:
    """The units expected back: a distribution list (.xlsx/.csv) or a generation manifest."""
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("schema") != "xltool.manifest/1":
                raise ValueError("not a manifest")
            return [Expected(u["unit_code"], u["unit_name"]) for u in data["units"]
                    if u.get("unit_code")]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UnitsError(f"无法读取分发清单 {path}：不是 xltool 生成的 xltool-manifest.json"
                             f"（{type(exc).__name__}）。") from exc
    try:
        return [Expected(u.code, u.name) for u in load_units(path)]
    except ListError as exc:
        raise UnitsError(str(exc)) from exc


def _position(wb: ReadWorkbook | None, issue: Issue) -> tuple:
    sheets = wb.sheet_names if wb else []
    sheet_index = sheets.index(issue.sheet) if issue.sheet in sheets else -1
    cell = (-1, -1)
    if issue.cell:
        try:
            rng = CellRange.parse(issue.cell)
            cell = (rng.row1, rng.col1)
        except ValueError:
            pass
    return (issue.sheet is not None, sheet_index, cell, issue.code)


def _issue(rule: Rule, finding) -> Issue:
    return Issue(rule.code, rule.severity, finding.sheet, finding.cell,
                 rule.render(finding.sheet, finding.cell, finding.data))


def check_workbook(wb: ReadWorkbook, rules: list[Rule]) -> list[Issue]:
    """Issues of one workbook under the workbook-scoped rules."""
    issues = []
    for rule in rules:
        d = rule.definition
        if d.scope != "workbook" or (d.needs_template and wb.spec is None):
            continue
        issues += [_issue(rule, f) for f in d.fn(wb, rule.parsed_params)]
    return issues


def check_paths(paths: list[Path], *, rules: RuleSet | None = None,
                select: list[str] | None = None, ignore: list[str] | None = None,
                units: list[Expected] | None = None) -> Report:
    """Check every file; a file that will not open is reported, the rest still checked."""
    rules = rules or load_rules()
    active = rules.selected(select, ignore)
    report = Report(rules=rules.id)
    books: list[tuple[ReadWorkbook, FileReport]] = []
    by_file: dict[str, ReadWorkbook | None] = {}
    for path in find_returns(paths):
        fr = FileReport(path=str(path))
        try:
            wb = read_workbook(path)
        except (Unreadable, OSError) as exc:
            reason = str(exc) if isinstance(exc, Unreadable) else \
                f"无法读取文件（{exc.strerror or exc}）。"
            fr.issues = [Issue(r.code, r.severity, None, None,
                               r.render(None, None, {"reason": reason}))
                         for r in active if r.check == "unreadable"]
            fr.settle(unreadable=True)
            report.files.append(fr)
            by_file[fr.path] = None
            continue
        fr.unit_code, fr.unit_name = wb.unit_code, wb.unit_name
        if wb.meta is not None:
            fr.template = f"{wb.meta.template_id} {wb.meta.template_version}"
        fr.issues = check_workbook(wb, active)
        books.append((wb, fr))
        by_file[fr.path] = wb
        report.files.append(fr)
    readable = [wb for wb, _ in books]
    reports = {id(wb): fr for wb, fr in books}
    for rule in active:
        d = rule.definition
        if d.scope == "batch":
            for wb, finding in d.fn([b for b in readable if b.spec is not None], units,
                                    rule.parsed_params):
                reports[id(wb)].issues.append(_issue(rule, finding))
    for fr in report.files:
        if fr.status != "unreadable":
            fr.issues.sort(key=lambda i, wb=by_file[fr.path]: _position(wb, i))
            fr.settle()
    if units is not None:
        returned = {wb.unit_code for wb in readable if wb.unit_code}
        report.missing_units = [{"unit_code": u.code, "unit_name": u.name}
                                for u in units if u.code not in returned]
    return report
