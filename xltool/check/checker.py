"""Check returned workbooks: read each, run the selected rules, gather one report."""
from __future__ import annotations

import gc
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from ..template.cells import CellRange
from .checks.batch import BatchFacts, facts_of
from .checks.previous import Previous, targets_of
from ..template.distlist import ListError, load_units
from ..read.archives import Entry, expand
from ..read.reader import ReadWorkbook, Unreadable, read_workbook
from .report import FileReport, Issue, Report, mark_superseded
from .rules import Rule, RuleSet, load_rules
from ..workers import Workers

RETURN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ett", ".ods", ".zip")
REPORT_MARKER = ".xltool-report"   # written by outputs.write_outputs into a report folder
SKIP_NAMES = ("~$", ".~lock", ".xltool-")


class UnitsError(Exception):
    """The --units file cannot be used (Chinese message)."""


@dataclass(frozen=True)
class Expected:
    code: str
    name: str
    digest: str | None = None   # from a manifest: the identity digest of the workbook sent


def find_returns(paths: list[Path], exclude: Path | None = None) -> list[Path]:
    """Files to check: files as given; folders searched recursively for workbooks, skipping
    Excel's lock files (~$*), hidden files and folders, and the report folder `exclude`."""
    found: list[Path] = []
    skip = exclude.resolve() if exclude is not None else None
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*")
                            if p.suffix.lower() in RETURN_SUFFIXES
                            and not p.name.startswith(SKIP_NAMES)
                            and not any(part.startswith(".") for part in
                                        p.relative_to(path).parts)
                            and (skip is None or skip not in p.resolve().parents)
                            and not _in_report(p, path))
        else:
            found.append(path)
    unique, seen = [], set()
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _in_report(file: Path, top: Path) -> bool:
    """Inside a folder an earlier `check -o` wrote (under the searched folder)?"""
    folder = file.parent
    while True:
        if (folder / REPORT_MARKER).exists():
            return True
        if folder == top or folder.parent == folder:
            return False
        folder = folder.parent


def load_expected(path: Path) -> list[Expected]:
    """The units expected back: a distribution list (.xlsx/.csv) or a generation manifest."""
    if not path.is_file():
        raise UnitsError(f"找不到分发名单或清单文件：{path}。")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("schema") != "xltool.manifest/1":
                raise ValueError("not a manifest")
            return [Expected(u["unit_code"], u["unit_name"], u.get("prefill_digest"))
                    for u in data["units"] if u.get("unit_code")]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UnitsError(f"无法读取分发清单 {path}：不是 xltool 生成的 xltool-manifest.json"
                             f"（{type(exc).__name__}）。") from exc
    try:
        return [Expected(u.code, u.name) for u in load_units(path)]
    except ListError as exc:
        raise UnitsError(str(exc)) from exc


def _position(sheets: list[str], issue: Issue) -> tuple:
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
    template = wb.spec is not None
    for rule, fn, params, needs_template in _workbook_rules(rules):
        if template or not needs_template:
            issues += [_issue(rule, f) for f in fn(wb, params)]
    return issues


_PLANS: dict[tuple[int, ...], tuple[list[Rule], list]] = {}


def _workbook_rules(rules: list[Rule]) -> list:
    """(rule, check function, parameters, needs a template) of the workbook-scoped rules,
    worked out once per list of rules."""
    key = tuple(map(id, rules))   # the plan keeps its rules alive: an id is never reused
    found = _PLANS.get(key)
    if found is None:
        plan = [(r, r.definition.fn, r.parsed_params, r.definition.needs_template)
                for r in rules if r.definition.scope == "workbook"]
        if len(_PLANS) > 64:
            _PLANS.clear()
        found = _PLANS[key] = (list(rules), plan)
    return found[1]


# extract(workbook, its issues so far) -> what the caller takes from it, or None to take
# nothing; a module-level function (sent to the workers)
Extract = Callable[[ReadWorkbook, list[Issue]], object]


@dataclass
class Checked:
    """One file's result as it comes back from a worker."""
    report: FileReport
    facts: BatchFacts | None       # None: unreadable
    sheets: list[str]
    extracted: object = None       # extract(workbook), when the caller asked for it


def check_file(path: Path, rules: list[Rule], with_targets: bool = False,
               extract: Extract | None = None) -> Checked:
    """Read and check one file; never raises. What is in the file becomes issues; a failure of
    the checker itself becomes that file's internal-error issue, with the traceback kept for
    the log in the report folder, so one file never stops a batch."""
    collecting = gc.isenabled()
    gc.disable()   # what one file builds holds no cycles; reference counting frees it, and the
    try:           # collector would only walk the long-lived objects again and again
        return _check_file(path, rules, with_targets, extract)
    except Exception:  # noqa: BLE001 - the safety net: any bug ends as this file's outcome
        fr = FileReport(path=str(path))
        import traceback   # only for the checker's own failures (rare)

        fr.internal_error = traceback.format_exc()
        fr.issues = [Issue(r.code, r.severity, None, None, r.render(None, None, {}))
                     for r in rules if r.check == "internal_error"]
        fr.settle()
        if not fr.issues:   # the rule was deselected: the file still must not pass
            fr.status = "errors"
        return Checked(fr, None, [])
    finally:
        if collecting:
            gc.enable()


def _check_file(path: Path, rules: list[Rule], with_targets: bool = False,
                extract: Extract | None = None) -> Checked:
    fr = FileReport(path=str(path))
    try:
        wb = read_workbook(path)
    except (Unreadable, OSError) as exc:
        reason = str(exc) if isinstance(exc, Unreadable) else \
            f"无法读取文件（{exc.strerror or exc}）。请确认文件没有被其他程序占用。"
        fr.issues = [Issue(r.code, r.severity, None, None, r.render(None, None, {"reason": reason}))
                     for r in rules if r.check == "unreadable"]
        fr.settle(unreadable=True)
        return Checked(fr, None, [])
    fr.unit_code, fr.unit_name = wb.unit_code, wb.unit_name
    if wb.meta is not None:
        fr.template = f"{wb.meta.template_id} {wb.meta.template_version}"
    fr.saved_at = wb.saved_at
    fr.format = wb.kind
    if wb.untouched:   # the county's own blank, lying in the folder: not a return
        fr.blank = True
        fr.issues = [Issue(r.code, r.severity, None, None, r.render(None, None, {}))
                     for r in rules if r.check == "blank_form"]
        fr.settle()
        return Checked(fr, None, wb.sheet_names)
    fr.issues = check_workbook(wb, rules)
    facts = facts_of(wb, targets_of(wb) if with_targets else ()) if wb.spec is not None else None
    return Checked(fr, facts, wb.sheet_names, _extracted(wb, extract, fr.issues))


def _extracted(wb: ReadWorkbook, extract: Extract | None, issues: list[Issue]) -> object:
    """What the caller takes from the workbook already read, knowing the workbook's own
    issues; None when that fails (the caller then reads the file itself and reports why), so
    it never changes the check's outcome."""
    if extract is None or wb.spec is None:
        return None
    try:
        return extract(wb, issues)
    except Exception:  # noqa: BLE001 - the check result stands; the caller reads again
        return None


def _unreadable(path: Path, rules: list[Rule], reason: str) -> Checked:
    fr = FileReport(path=str(path))
    fr.issues = [Issue(r.code, r.severity, None, None, r.render(None, None, {"reason": reason}))
                 for r in rules if r.check == "unreadable"]
    fr.settle(unreadable=True)
    return Checked(fr, None, [])


def _check_job(job: tuple[Entry, list[Rule], bool, Extract | None]) -> Checked:
    """One file of the batch; a member of a .zip is read from its private copy and reported
    under its name in the archive."""
    entry, rules, with_targets, extract = job
    if entry.problem is not None:
        return _unreadable(entry.display, rules, entry.problem)
    checked = check_file(entry.local, rules, with_targets, extract)
    if entry.local != entry.display:
        checked.report.path, checked.report.local = str(entry.display), str(entry.local)
        if checked.facts is not None:
            checked.facts = replace(checked.facts, path=str(entry.display))
    return checked


def _entries(files: list[Path]) -> list[Entry]:
    out: list[Entry] = []
    for f in files:
        out += expand(f) if f.suffix.lower() == ".zip" else [Entry(f, f)]
    return out


def check_paths(paths: list[Path], *, rules: RuleSet | None = None,
                select: list[str] | None = None, ignore: list[str] | None = None,
                units: list[Expected] | None = None, workers: Workers | None = None,
                progress=None, exclude: Path | None = None,
                previous: Previous | None = None, found: list[Path] | None = None) -> Report:
    """Check every file; a file that will not open is reported, the rest still checked.

    The result does not depend on the number of workers: files are checked independently and
    gathered in the order of find_returns. With `previous` (last year's returns, see
    checks.previous.load_previous) the rules comparing with last year run too.
    """
    return check_and_extract(paths, None, rules=rules, select=select, ignore=ignore,
                             units=units, workers=workers, progress=progress, exclude=exclude,
                             previous=previous, found=found)[0]


def check_and_extract(paths: list[Path], extract: Extract | None, *,
                      rules: RuleSet | None = None, select: list[str] | None = None,
                      ignore: list[str] | None = None, units: list[Expected] | None = None,
                      workers: Workers | None = None, progress=None,
                      exclude: Path | None = None, previous: Previous | None = None,
                      found: list[Path] | None = None) -> tuple[Report, dict[str, object]]:
    """check_paths, and from each workbook the worker read, extract(workbook, issues) by report
    path (absent where the file was not understood or extract gave None), so a caller needs no
    second read. `found`: find_returns(paths, exclude), when the caller has it already."""
    rules = rules or load_rules()
    active = rules.selected(select, ignore)
    report = Report(rules=rules.id)
    files = _entries(find_returns(paths, exclude) if found is None else found)
    workers = workers or Workers(1)
    chunk = min(16, max(1, len(files) // (workers.jobs * 8)))
    compare = previous is not None and any(r.definition.scope == "previous" for r in active)
    collecting = gc.isenabled() and workers.jobs > 1
    if collecting:   # results arrive from the workers, unpickled: they hold no cycles
        gc.disable()
    try:
        checked: list[Checked] = workers.map(_check_job,
                                             [(f, active, compare, extract) for f in files],
                                             progress, chunk)
    finally:
        if collecting:
            gc.enable()
    by_path = {c.report.path: c for c in checked}
    facts = [c.facts for c in checked if c.facts is not None]
    for rule in active:
        d = rule.definition
        if d.scope == "batch":
            for path, finding in d.fn(facts, units, rule.parsed_params):
                by_path[path].report.issues.append(_issue(rule, finding))
        elif d.scope == "previous" and compare:
            for path, finding in d.fn(facts, previous, rule.parsed_params):
                by_path[path].report.issues.append(_issue(rule, finding))
    for c in checked:
        fr = c.report
        if fr.status != "unreadable":
            fr.issues.sort(key=lambda i, sheets=c.sheets: _position(sheets, i))
            fr.settle()
        report.files.append(fr)
    mark_superseded(report.files)
    if units is not None:
        returned = {f.unit_code for f in facts if f.unit_code}
        report.missing_units = [{"unit_code": u.code, "unit_name": u.name}
                                for u in units if u.code not in returned]
    return report, {c.report.path: c.extracted for c in checked if c.extracted is not None}
