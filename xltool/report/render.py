"""Rendering a report for people (a rich table, in Chinese) and for programs (JSON)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..atomic import write_bytes_atomic
from ..check.report import Report
from ..check.rules import RuleSet

STATUS = {"ok": "[green]通过[/]", "warnings": "[yellow]有警告[/]", "errors": "[red]有错误[/]",
          "unreadable": "[red]无法打开[/]"}
SEVERITY = {"error": "[red]错误[/]", "warning": "[yellow]警告[/]"}


def report_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def write_json(report: Report, path: Path | None) -> None:
    """To stdout (path None) or atomically to a file."""
    text = report_json(report)
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, text.encode("utf-8"))


def print_report(report: Report, console: Console) -> None:
    summary = Table(title="审核结果", show_lines=False)
    for column in ("文件", "单位", "结果", "错误", "警告"):
        summary.add_column(column, overflow="fold")
    for f in report.files:
        unit = " ".join(x for x in (f.unit_code, f.unit_name) if x) or "—"
        summary.add_row(Path(f.path).name, unit, STATUS[f.status], str(f.errors), str(f.warnings))
    console.print(summary)
    for f in report.files:
        if not f.issues:
            continue
        table = Table(title=Path(f.path).name, title_justify="left")
        for column, kw in (("工作表", {}), ("单元格", {"no_wrap": True}), ("代码", {"no_wrap": True}),
                           ("级别", {"no_wrap": True}), ("问题", {"overflow": "fold"})):
            table.add_column(column, **kw)
        for i in f.issues:
            table.add_row(i.sheet or "—", i.cell or "—", i.code, SEVERITY[i.severity], i.message)
        console.print(table)
    if report.missing_units:
        units = "、".join(f"{u['unit_code']} {u['unit_name']}" for u in report.missing_units)
        console.print(f"[bold]未报送的单位（{len(report.missing_units)} 个）：[/]{units}")
    files = len(report.files)
    bad = sum(f.status in ("errors", "unreadable") for f in report.files)
    console.print(f"共审核 {files} 个文件，{bad} 个需要退回修改。")


def print_rules(rules: RuleSet, console: Console) -> None:
    table = Table(title=rules.title)
    for column in ("代码", "级别", "规则", "检查"):
        table.add_column(column)
    for r in rules.rules:
        table.add_row(r.code, SEVERITY[r.severity], r.title, r.check)
    console.print(table)
