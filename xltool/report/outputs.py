"""What `xltool check -o DIR` leaves in DIR: the summary workbook, the JSON report, and an
annotated copy of every returned workbook with errors or warnings in 退回修改/ (to be sent
back), and, when asked (suggestion copies), of those with only review suggestions in 审核建议/
(XT8xx: the county may pass them on, but does not send the return back for them)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .annotate import annotate
from ..atomic import write_bytes_atomic
from ..template.naming import file_stem
from .render import report_json
from ..check.report import FileReport, Report
from ..check.rules import RuleSet
from .summary import write_summary
from ..workers import Workers

SUMMARY_NAME = "汇总.xlsx"
JSON_NAME = "审核结果.json"
RETURNS_DIR = "退回修改"
SUGGESTIONS_DIR = "审核建议"   # copies of returns with review suggestions only
ANNOTATED_SUFFIX = "_审核标注"
MARKER = ".xltool-report"   # marks a report folder, so later runs never check it as returns;
                            # it also lists the annotated copies the run wrote (one a line)
LOG_NAME = "审核程序错误日志.txt"
MARKER_HEAD = "xltool 审核报告文件夹"


@dataclass
class Outputs:
    summary: Path
    json: Path
    annotated: list[Path] = field(default_factory=list)     # in 退回修改/
    suggested: list[Path] = field(default_factory=list)     # in 审核建议/
    json_text: str = ""                                     # what was written to `json`


def report_time() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch and epoch.isdigit() \
        else datetime.now(timezone.utc)
    return moment.replace(tzinfo=None, microsecond=0)


def annotated_names(files: list[FileReport]) -> dict[str, str]:
    """Returned file -> annotated copy's name: only a name (never a path), unique, Windows-safe."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for f in files:
        stem = file_stem(Path(f.path).stem + ANNOTATED_SUFFIX)
        name, n = f"{stem}.xlsx", 2
        while name.lower() in taken:
            name, n = f"{stem}({n}).xlsx", n + 1
        taken.add(name.lower())
        names[f.path] = name
    return names


def is_xlsx(f: FileReport) -> bool:
    """Came back as an .xlsx package: only those can be patched into an annotated copy."""
    return Path(f.path).suffix.lower() == ".xlsx" and f.format in (None, "xlsx")


def _marked(f: FileReport) -> bool:
    """A return of our template with errors or warnings to mark."""
    return f.status in ("errors", "warnings") and f.template is not None and not f.blank \
        and f.superseded_by is None   # an older return of a unit that sent a newer one


def needs_copy(f: FileReport) -> bool:
    return _marked(f) and is_xlsx(f)


def no_copy(f: FileReport, suggestion_copies: bool = False) -> bool:
    """Would get an annotated copy, but came back in another format (.xls, .ods, .et)."""
    return _marked(f) and not is_xlsx(f) and (suggestion_copies or copy_folder(f) == RETURNS_DIR)


def wants_copy(f: FileReport, suggestion_copies: bool = False) -> bool:
    """Does this run write an annotated copy of `f`?"""
    return needs_copy(f) and (suggestion_copies or copy_folder(f) == RETURNS_DIR)


def review_only(f: FileReport) -> bool:
    return f.status == "warnings" and f.review_only


def copy_folder(f: FileReport) -> str:
    """The sub-folder of the report folder that gets the annotated copy of `f`."""
    return SUGGESTIONS_DIR if review_only(f) else RETURNS_DIR


def _annotate_job(job: tuple[str, str, FileReport]) -> str | None:
    src, dest, fr = job
    try:
        annotate(Path(src), Path(dest), fr)
        return None
    except Exception as exc:  # an annotated copy is a convenience; the report still stands
        return f"{Path(src).name}：无法生成标注副本（{type(exc).__name__}）"


def write_outputs(report: Report, out_dir: Path, rules: RuleSet, units: list | None,
                  workers: Workers | None = None, progress=None,
                  suggestion_copies: bool = False) -> tuple[Outputs, list[str]]:
    """Write everything into out_dir; returns what was written and any non-fatal problems.
    Returns with review suggestions only get an annotated copy with suggestion_copies (their
    suggestions are in the summary either way). The workers make the annotated copies while
    this process writes the summary and the JSON report."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous(out_dir)
    _write_marker(out_dir, [])
    copies = [f for f in report.files if wants_copy(f, suggestion_copies)]
    names = annotated_names(copies)
    dests = {f.path: out_dir / copy_folder(f) / names[f.path] for f in copies}
    for folder in {d.parent for d in dests.values()}:
        folder.mkdir(exist_ok=True)
    jobs_list = [(f.local or f.path, str(dests[f.path]), f) for f in copies]
    workers = workers or Workers(1)
    for f in copies:   # as the JSON report will say; undone below for a copy that failed
        f.annotated = str(dests[f.path])
    results = workers.start(_annotate_job, jobs_list)
    outputs = Outputs(out_dir / SUMMARY_NAME, out_dir / JSON_NAME)
    problems: list[str] = []
    written: list[Path] = []
    try:
        _write_log(out_dir, report)
        write_summary(outputs.summary, report, rules, units, report_time())
        outputs.json_text = report_json(report)
    finally:   # even when the summary cannot be written: the copies made are recorded
        for problem in results:
            if problem:
                problems.append(problem)
            if progress:
                progress()
        for f in copies:
            if dests[f.path].exists():
                written.append(dests[f.path])
            else:
                f.annotated = None
        _write_marker(out_dir, written)
    if len(written) < len(copies):
        outputs.json_text = report_json(report)
    outputs.annotated = [p for p in written if p.parent.name == RETURNS_DIR]
    outputs.suggested = [p for p in written if p.parent.name == SUGGESTIONS_DIR]
    write_bytes_atomic(outputs.json, outputs.json_text.encode("utf-8"))
    return outputs, problems


def _write_marker(out_dir: Path, written: list[Path]) -> None:
    lines = [MARKER_HEAD, *(f"{p.parent.name}/{p.name}" for p in written)]
    write_bytes_atomic(out_dir / MARKER, ("\n".join(lines) + "\n").encode("utf-8"))


def record_outputs(out_dir: Path, written: list[Path]) -> None:
    """Add files written after write_outputs (e.g. the PDF issue lists) to the folder's record,
    so the next run removes them too. Only files in a sub-folder of out_dir are recorded."""
    marker = out_dir / MARKER
    try:
        lines = marker.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = [MARKER_HEAD]
    for p in written:
        if p.parent.parent.resolve() == out_dir.resolve():
            lines.append(f"{p.parent.name}/{p.name}")
    write_bytes_atomic(marker, ("\n".join(lines) + "\n").encode("utf-8"))


def _remove_previous(out_dir: Path) -> None:
    """Remove the files an earlier run recorded in the marker (annotated copies, PDF lists)
    and its error log: only files xltool wrote there, so that a unit that now passes is never
    sent an old list of problems. Anything else in the folder is left alone."""
    marker = out_dir / MARKER
    try:
        lines = marker.read_text("utf-8").splitlines()[1:] if marker.is_file() else []
    except (OSError, UnicodeDecodeError):
        lines = []
    top = out_dir.resolve()
    for line in lines:
        folder, _, name = line.strip().partition("/")
        if not folder or not name or folder in (".", "..") or name in (".", "..") \
                or "/" in name or "\\" in name or "\\" in folder:
            continue
        target = top / folder / name
        if target.parent.parent == top and target.is_file():
            target.unlink()
    log = out_dir / LOG_NAME
    if log.is_file():
        log.unlink()


def _write_log(out_dir: Path, report: Report) -> None:
    """The checker's own failures, one traceback per file (the files say XT013)."""
    failed = [f for f in report.files if f.internal_error]
    if not failed:
        return
    text = "审核程序内部错误日志（请将本文件和出错的表格一并发给县财政局）\n\n" + "\n".join(
        f"文件：{f.path}\n{f.internal_error}" for f in failed)
    write_bytes_atomic(out_dir / LOG_NAME, text.encode("utf-8"))
