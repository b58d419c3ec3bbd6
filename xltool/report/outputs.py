"""What `xltool check -o DIR` leaves in DIR: the summary workbook, the JSON report, and an
annotated copy of every returned workbook that has issues (in 退回修改/)."""
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
ANNOTATED_SUFFIX = "_审核标注"
MARKER = ".xltool-report"   # marks a report folder, so later runs never check it as returns


@dataclass
class Outputs:
    summary: Path
    json: Path
    annotated: list[Path] = field(default_factory=list)


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


def needs_copy(f: FileReport) -> bool:
    return f.status in ("errors", "warnings") and Path(f.path).suffix.lower() == ".xlsx" \
        and f.template is not None


def _annotate_job(job: tuple[str, str, FileReport]) -> str | None:
    src, dest, fr = job
    try:
        annotate(Path(src), Path(dest), fr)
        return None
    except Exception as exc:  # an annotated copy is a convenience; the report still stands
        return f"{Path(src).name}：无法生成标注副本（{type(exc).__name__}）"


def write_outputs(report: Report, out_dir: Path, rules: RuleSet, units: list | None,
                  workers: Workers | None = None, progress=None) -> tuple[Outputs, list[str]]:
    """Write everything into out_dir; returns what was written and any non-fatal problems."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("xltool 审核报告文件夹\n", encoding="utf-8")
    copies = [f for f in report.files if needs_copy(f)]
    names = annotated_names(copies)
    returns_dir = out_dir / RETURNS_DIR
    if copies:
        returns_dir.mkdir(exist_ok=True)
    jobs_list = [(f.path, str(returns_dir / names[f.path]), f) for f in copies]
    workers = workers or Workers(1)
    problems = [p for p in workers.map(_annotate_job, jobs_list, progress) if p]
    written = []
    for f in copies:
        dest = returns_dir / names[f.path]
        if dest.exists():
            f.annotated = str(dest)
            written.append(dest)
    outputs = Outputs(out_dir / SUMMARY_NAME, out_dir / JSON_NAME, written)
    write_summary(outputs.summary, report, rules, units, report_time())
    write_bytes_atomic(outputs.json, report_json(report).encode("utf-8"))
    return outputs, problems
