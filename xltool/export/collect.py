"""Which returns go into the deliverables: per unit the one the 汇总 counts, checked first.

The selection is the summary's own (report.summary.unit_rows): the newest return of each unit.
By default only returns without errors are exported; everything left out is listed with why.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..check.checker import Expected, check_and_extract, find_returns
from ..check.report import FileReport, Issue, Report, is_ours
from ..check.rules import RuleSet
from ..read.reader import ReadWorkbook, Unreadable, read_workbook
from ..report.summary import unit_rows
from ..workers import Workers
from .model import UnitTargets, unit_targets

STATUS = {"ok": "通过", "warnings": "有警告", "errors": "有错误", "unreadable": "无法打开"}


@dataclass(frozen=True)
class LeftOut:
    """Something not exported, and why (Chinese)."""
    unit_code: str
    unit_name: str
    file: str
    reason: str


@dataclass
class Collected:
    units: list[UnitTargets] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    report: Report | None = None


def _name(path: str | None) -> str:
    return Path(path).name if path else ""


def targets_of_read(wb: ReadWorkbook, issues: list[Issue] | None = None) -> UnitTargets:
    """The typed targets, taken in the check worker from the workbook it has just read; file
    and check status are set once the whole batch is checked."""
    return unit_targets(wb, file="", status="")


def targets_if_clean(wb: ReadWorkbook, issues: list[Issue]) -> UnitTargets | None:
    """The typed targets of a workbook whose own checks found no error; None for one with an
    error (it is left out of an export without --include-errors, so nothing is taken)."""
    if any(i.severity == "error" for i in issues):
        return None
    return targets_of_read(wb)


def _read_job(job: tuple[str, str, int, int]) -> UnitTargets | str:
    """Read one selected return into its typed targets (in a worker); a message on failure."""
    path, status, errors, warnings = job
    try:
        wb = read_workbook(path)
    except (Unreadable, OSError) as exc:
        return f"导出时无法读取：{exc}"
    if wb.spec is None:
        return "导出时无法识别表格模板。"
    return unit_targets(wb, file=_name(path), status=status, errors=errors, warnings=warnings)


def chosen_targets(chosen: list[FileReport], read: dict[str, object], workers: Workers,
                   progress=None) -> list[UnitTargets | str]:
    """The targets of each chosen return: as the check worker took them, or read again where
    it could not (a message when that fails too)."""
    again = [f for f in chosen if f.path not in read]
    step = progress("读取", len(again)) if progress and again else None
    reread = dict(zip((f.path for f in again),
                      workers.map(_read_job, [(f.path, f.status, f.errors, f.warnings)
                                              for f in again],
                                  step, max(1, min(16, len(again) // (workers.jobs * 8))))))
    out: list[UnitTargets | str] = []
    for f in chosen:
        got = read.get(f.path)
        out.append(reread[f.path] if got is None else
                   replace(got, file=_name(f.path), status=f.status, errors=f.errors,
                           warnings=f.warnings))
    return out


def _error_reason(f: FileReport) -> str:
    return (f"审核有 {f.errors} 个错误，未导出。请退回修改后重新报送；"
            "确需先导出的，可加 --include-errors（导出时标注“有错误”）。")


def collect(paths: list[Path], *, units: list[Expected] | None, rules: RuleSet | None = None,
            include_errors: bool = False, workers: Workers | None = None,
            progress=None, exclude: Path | None = None,
            ignore: list[str] | None = None) -> Collected:
    """Check the returns, choose per unit the one that counts, and read the chosen ones."""
    workers = workers or Workers(1)
    files = find_returns(paths, exclude)   # searched once: the files are then given as such
    extract = targets_of_read if include_errors else targets_if_clean
    report, read = check_and_extract(files, extract, rules=rules, ignore=ignore,
                                     units=units, workers=workers, exclude=exclude,
                                     progress=progress("审核", len(files)) if progress else None)
    out = Collected(report=report)
    chosen: list[FileReport] = []
    for row in unit_rows(report, units):
        f = row.counted
        for older in row.others:
            out.left_out.append(LeftOut(row.code, row.name, _name(older.path),
                                        f"同一单位报回多份，以文件保存时间最新的 {_name(f.path)} 为准。"))
        if f is None:
            out.left_out.append(LeftOut(row.code, row.name, "", "未报送。"))
        elif row.returned == "名单外":
            out.left_out.append(LeftOut(row.code, row.name, _name(f.path),
                                        "该单位不在分发名单（--units）中，未导出。"))
        elif f.status == "errors" and not include_errors:
            out.left_out.append(LeftOut(row.code, row.name, _name(f.path), _error_reason(f)))
        else:
            chosen.append(f)
    for f in report.files:
        if not is_ours(f):
            reason = "；".join(i.message for i in f.issues if i.sheet is None) or \
                "不是本工具下发的填报表，或未填写单位编码。"
            out.left_out.append(LeftOut(f.unit_code or "", f.unit_name or "", _name(f.path),
                                        f"{STATUS.get(f.status, '')}：{reason}"))
    results = chosen_targets(chosen, read, workers, progress)
    for f, result in zip(chosen, results):
        if isinstance(result, str):
            out.left_out.append(LeftOut(f.unit_code or "", f.unit_name or "", _name(f.path),
                                        result))
        else:
            out.units.append(result)
    return out
